"""Architecture: any preset, custom config or trained run as a block diagram and a layer table,
with the conv output-size formula filled in, and a calculator checked against nn.Conv2d."""

import figures
import streamlit as st
from train_form import model_form

from fer_core.models import layer_table, layer_totals
from fer_core.models.layers import conv_output_check
from fer_core.train import RunError, list_runs

st.title("Architecture")
st.markdown(
    "Every layer's output shape (channels x height x width), the output-size formula "
    r"$\lfloor (W + 2p - k) / s \rfloor + 1$ with its numbers filled in, parameters and multiply-adds per face."
)

source = st.radio("Model", ["Preset or custom", "Trained run"], horizontal=True, key="arch_source")
model = None
if source == "Trained run":
    ids = [r.id for r in list_runs()]
    if not ids:
        st.info("No trained runs yet: train one on the Train page.")
    else:
        rid = st.selectbox("Run", ids, key="arch_run")
        try:
            model = next(r for r in list_runs() if r.id == rid).config().model
        except RunError as exc:
            st.error(str(exc))
else:
    model = model_form(prefix="arch")

if model is not None:
    rows = layer_table(model)
    st.plotly_chart(figures.architecture_diagram(rows), key="arch_diagram")
    totals = layer_totals(rows)
    c1, c2, c3 = st.columns(3)
    c1.metric("Parameters", f"{totals.params:,}")
    c2.metric("Multiply-adds per face", f"{totals.macs / 1e6:,.1f} M")
    c3.metric("Weights (float32)", f"{totals.params * 4 / 2**20:.1f} MB")
    st.dataframe(
        [
            {
                "layer": r.name,
                "type": r.type,
                "output (C x H x W)": " x ".join(map(str, r.out_shape)),
                "kernel": r.kernel,
                "stride": r.stride,
                "padding": r.padding,
                "output size": r.formula,
                "params": r.params,
                "mult-adds": r.macs,
            }
            for r in rows
        ],
        hide_index=True,
        key="arch_table",
        # the whole formula, never cut, and every column in view on a laptop screen
        column_config={"output size": st.column_config.TextColumn(width=240)}
        | {c: st.column_config.Column(width="small") for c in ("kernel", "stride", "padding", "params", "mult-adds")},
    )

st.subheader("Conv output-size calculator")
c = st.columns(6)
w = c[0].number_input("Input size W", 1, 512, 48, key="calc_w")
k = c[1].number_input("Kernel k", 1, 15, 5, key="calc_k")
s = c[2].number_input("Stride s", 1, 8, 1, key="calc_s")
p = c[3].number_input("Padding p", 0, 8, 2, key="calc_p")
cin = c[4].number_input("In channels", 1, 512, 1, key="calc_cin")
cout = c[5].number_input("Out channels", 1, 512, 32, key="calc_cout")
res = conv_output_check(int(w), int(k), int(s), int(p), int(cin), int(cout))
if res["error"]:
    st.error(res["error"])
else:
    ok = res["formula_shape"] == res["conv2d_shape"]
    st.markdown(f"{res['formula']} → output **{' x '.join(map(str, res['formula_shape']))}** (C x H x W)")
    (st.success if ok else st.error)(
        f"A real nn.Conv2d gives {' x '.join(map(str, res['conv2d_shape']))}: {'matches' if ok else 'does NOT match'}. "
        f"Parameters: {res['params']:,}."
    )
