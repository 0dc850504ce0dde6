"""Math: the homework's three derivations, each checked numerically against autograd."""

import streamlit as st

from fer_core.mathcheck import check_batchnorm, check_conv_output_size, check_softmax_cross_entropy

st.title("Math")
st.markdown(
    "Each result is written out, then checked on random float64 tensors against PyTorch's autograd: the largest absolute error is shown."
)


def checked(button_key: str, label: str, run) -> object | None:
    """Run the check when its button is pressed; keep the result so other checks do not hide it."""
    if st.button(label, key=button_key, icon=":material/calculate:"):
        st.session_state[f"{button_key}_result"] = run()
    return st.session_state.get(f"{button_key}_result")


def show(check, tolerance: float, key: str) -> None:
    rows = [{"quantity": q, "max |formula - autograd|": f"{e:.2e}", "ok": e <= tolerance} for q, e in check.errors.items()]
    st.dataframe(rows, hide_index=True, key=key)
    verdict = "holds" if check.max_error <= tolerance else "FAILS"
    (st.success if check.max_error <= tolerance else st.error)(
        f"{check.name}: largest error {check.max_error:.2e}, the identity {verdict}."
    )


st.header("1. Convolution output size")
st.latex(r"W_{out} = \left\lfloor \frac{W + 2p - k}{s} \right\rfloor + 1")
st.markdown(
    "A $k \\times k$ kernel with stride $s$ over an input of width $W$ padded by $p$ on each side fits "
    "$\\lfloor (W + 2p - k)/s \\rfloor$ whole steps after its first position."
)
seed = st.number_input("Seed", 0, 10_000, 0, key="math_seed")
if check := checked("check_conv", "Check the output size numerically", lambda: check_conv_output_size(trials=200, seed=int(seed))):
    show(check, 0, "conv_result")
    st.caption("First cases: " + "; ".join(f"W={c['W']}, k={c['k']}, s={c['s']}, p={c['p']} -> {c['conv2d'][1]}" for c in check.cases[:4]))

st.header("2. Batch normalisation")
st.markdown("Forward, over a mini-batch of $m$ values per feature:")
st.latex(
    r"\mu = \frac{1}{m}\sum_i x_i,\quad \sigma^2 = \frac{1}{m}\sum_i (x_i-\mu)^2,\quad "
    r"\hat{x}_i = \frac{x_i-\mu}{\sqrt{\sigma^2+\epsilon}},\quad y_i = \gamma \hat{x}_i + \beta"
)
st.markdown("Backward, given $\\partial \\ell / \\partial y_i$:")
st.latex(r"\frac{\partial \ell}{\partial \hat{x}_i} = \frac{\partial \ell}{\partial y_i}\,\gamma")
st.latex(
    r"\frac{\partial \ell}{\partial \sigma^2} = \sum_i \frac{\partial \ell}{\partial \hat{x}_i}(x_i-\mu)\cdot\left(-\tfrac{1}{2}\right)(\sigma^2+\epsilon)^{-3/2}"
)
st.latex(
    r"\frac{\partial \ell}{\partial \mu} = \sum_i \frac{\partial \ell}{\partial \hat{x}_i}\cdot\frac{-1}{\sqrt{\sigma^2+\epsilon}}"
    r" + \frac{\partial \ell}{\partial \sigma^2}\cdot\frac{\sum_i -2(x_i-\mu)}{m}"
)
st.latex(
    r"\frac{\partial \ell}{\partial x_i} = \frac{\partial \ell}{\partial \hat{x}_i}\cdot\frac{1}{\sqrt{\sigma^2+\epsilon}}"
    r" + \frac{\partial \ell}{\partial \sigma^2}\cdot\frac{2(x_i-\mu)}{m} + \frac{\partial \ell}{\partial \mu}\cdot\frac{1}{m}"
)
st.latex(
    r"\frac{\partial \ell}{\partial \gamma} = \sum_i \frac{\partial \ell}{\partial y_i}\,\hat{x}_i,\qquad \frac{\partial \ell}{\partial \beta} = \sum_i \frac{\partial \ell}{\partial y_i}"
)
c1, c2 = st.columns(2)
m = c1.number_input("Batch size m", 2, 512, 16, key="math_m")
d = c2.number_input("Features", 1, 256, 8, key="math_d")
if check := checked("check_bn", "Check the batch-norm gradients numerically", lambda: check_batchnorm(int(m), int(d), int(seed))):
    show(check, 1e-10, "bn_result")

st.header("3. Softmax and cross-entropy")
st.latex(
    r"\hat{y}_j = \frac{e^{z_j}}{\sum_k e^{z_k}},\qquad L = -\sum_j y_j \log \hat{y}_j,\qquad \frac{\partial L}{\partial z_j} = \hat{y}_j - y_j"
)
st.markdown(
    "With a one-hot $y$: $\\partial L/\\partial z_j = \\hat{y}_j \\cdot \\sum_k y_k - y_j = \\hat{y}_j - y_j$, "
    "since $\\partial \\log \\hat{y}_k / \\partial z_j = [j = k] - \\hat{y}_j$."
)
if check := checked("check_ce", "Check the softmax gradient numerically", lambda: check_softmax_cross_entropy(8, 7, int(seed))):
    show(check, 1e-12, "ce_result")
