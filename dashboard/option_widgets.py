"""A widget for each declared config option (fer_core.options): its label, help, choices and
range come from the field, so the Train page and the Data page cannot drift from `fer train`."""

import streamlit as st

from fer_core.options import spec


def option_input(where, cls: type, name: str, key: str, *, slider: bool = False, format_func=None, default=None, **kwargs):
    """The widget for option `name` of config class `cls`, in container `where` (st or a column);
    its value comes from st.session_state[key] (the recipe picker sets it), else `default`, else
    the field's own default."""
    o = spec(cls, name)
    st.session_state.setdefault(key, o.default if default is None else default)
    common = dict(label=o.label, key=key, help=o.help, **kwargs)
    if o.kind is bool:
        return where.checkbox(**common)
    if o.choices is not None:
        return where.selectbox(options=list(o.choices), format_func=format_func or str, **common)
    low, high = o.kind(o.low), o.kind(o.high)
    if slider:
        return where.slider(min_value=low, max_value=high, step=o.kind(o.step or 1), **common)
    step = o.kind(o.step) if o.step else None
    return where.number_input(min_value=low, max_value=high, step=step, format=o.number_format, **common)
