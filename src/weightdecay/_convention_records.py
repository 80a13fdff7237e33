r"""The records behind :data:`weightdecay.conventions.CONVENTIONS`: one per framework convention.

Each record says how a user spells the decay, the loss it assumes, the step it takes and what
it decays by default, with its sources: the framework's documentation or code, and for the
conventions that a tab of *Dive into Deep Learning* uses, that tab (d2l-en §3.7, d2l-zh §4.5).
``nox -s frameworks`` runs the conventions of Keras, JAX, PaddlePaddle, MXNet, fastai and
Hugging Face and checks these records against them; the tests check PyTorch's and
scikit-learn's.

In the update formulas, :math:`r_i = x_i^\top w + b - y_i` is an example's residual,
:math:`\bar g = \frac{1}{|B|}\sum_{i\in B} x_i r_i` the minibatch's mean data gradient of
:math:`\tfrac12 r^2`, :math:`\eta` the learning rate and :math:`\hat m, \hat v` Adam's
bias-corrected moments of the loss gradient.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

__all__ = ["RECORDS", "Convention", "Family"]

Family: TypeAlias = Literal["sgd", "adam", "adamw", "ridge"]

_D2L_EN = "https://github.com/d2l-ai/d2l-en/blob/master/chapter_linear-regression/weight-decay.md"
_D2L_ZH = (
    "https://github.com/d2l-ai/d2l-zh/blob/master/chapter_multilayer-perceptrons/weight-decay.md"
)
_OPTAX_DECAY = (
    "https://optax.readthedocs.io/en/latest/api/transformations.html#optax.add_decayed_weights"
)
_SKLEARN_SGD = (
    "https://scikit-learn.org/stable/modules/generated/sklearn.linear_model.SGDRegressor.html"
)
_HF_ARGS = (
    "https://huggingface.co/docs/transformers/main_classes/trainer#transformers.TrainingArguments"
)
_MSE = r"\frac{1}{|B|}\sum_{i\in B} r_i^2"
_HALF = r"\frac{1}{|B|}\sum_{i\in B} \tfrac12 r_i^2"
_ANY = r"L(w)"
_ADAMW = r"w \leftarrow (1 - \eta\,\mathrm{wd})\,w - \eta\,\hat m/(\sqrt{\hat v} + \epsilon)"


@dataclass(frozen=True)
class Convention:
    r"""One framework's way of spelling weight decay, and what it does.

    Parameters
    ----------
    name : str
        The convention's name, as :func:`~weightdecay.conventions.convert` takes it.
    framework : str
        The framework (and the class or function) it belongs to.
    spelling : str
        The code that sets the decay, with ``{lr}`` and ``{decay}`` where the values go.
    decay_name : str
        The name of the decay's argument in that code.
    family : {"sgd", "adam", "adamw", "ridge"}
        Plain SGD (coupled and decoupled decay coincide), Adam with a coupled L2 term, Adam
        with a decoupled decay, or a closed-form ridge solver. Settings convert only within a
        family, and between ``"sgd"`` and ``"ridge"`` (by their fixed point).
    loss : str
        The data loss it assumes, in LaTeX (:math:`L(w)`: the user's loss, whatever it is).
    update : str
        The step on the weight, in LaTeX, in the convention's own hyperparameters.
    decays_bias : bool
        Whether the bias is decayed when the decay is spelled as above.
    default : float or None
        The decay's default value (None: it has no default and must be given).
    sources : tuple of str
        Where the facts come from: documentation pages, code, the d2l chapters.
    loss_scale : float or None, default=None
        Its gradient divided by that of d2l's :math:`\frac{1}{|B|}\sum \tfrac12 r_i^2` (2 for a
        mean squared error without :math:`\tfrac12`); None outside the ``"sgd"`` family.
    decay_scale : float or None, default=None
        The decay's shrink per step divided by ``lr * decay`` (2 where the penalty is
        :math:`c\lVert w\rVert^2` without :math:`\tfrac12`); None outside the ``"sgd"`` family.
    decays_norm : bool or None, default=None
        Whether normalization layers' parameters are decayed by default (None: no such layers).
    d2l_tab : str or None, default=None
        The tab of *Dive into Deep Learning* whose code uses this convention.
    d2l_decays_bias : bool or None, default=None
        Whether that tab's code decays the bias.
    notes : str, default=""
        Other settings that must match for two conventions to take the same steps.

    Examples
    --------
    >>> from weightdecay.conventions import CONVENTIONS
    >>> keras = CONVENTIONS["keras-l2"]
    >>> keras.loss_scale, keras.decay_scale, keras.decays_bias
    (2.0, 2.0, False)
    """

    name: str
    framework: str
    spelling: str
    decay_name: str
    family: Family
    loss: str
    update: str
    decays_bias: bool
    default: float | None
    sources: tuple[str, ...]
    loss_scale: float | None = None
    decay_scale: float | None = None
    decays_norm: bool | None = None
    d2l_tab: str | None = None
    d2l_decays_bias: bool | None = None
    notes: str = ""

    @property
    def coupled(self) -> bool:
        """Whether the decay enters through the gradient (an L2 term) rather than beside it."""
        return self.family != "adamw"

    def code(self, lr: object = "lr", decay: object = None) -> str:
        """The spelling with values filled in (by default, the arguments' names).

        Examples
        --------
        >>> from weightdecay.conventions import CONVENTIONS
        >>> CONVENTIONS["torch-sgd"].code(0.0015, 6.0)
        'torch.optim.SGD(net.parameters(), lr=0.0015, weight_decay=6.0)'
        """
        return self.spelling.format(lr=lr, decay=self.decay_name if decay is None else decay)


RECORDS: tuple[Convention, ...] = (
    Convention(
        name="d2l",
        framework="d2l from scratch (every tab)",
        spelling="l = squared_loss(net(X), y) + {decay} * l2_penalty(w)\nd2l.sgd([w, b], {lr}, batch_size)",
        decay_name="lambd",
        family="sgd",
        loss=_HALF,
        loss_scale=1.0,
        update=r"w \leftarrow (1 - \eta\lambda)\,w - \eta\,\bar g",
        decay_scale=1.0,
        decays_bias=False,
        default=None,
        d2l_tab="from scratch, in every tab of d2l-en and d2l-zh",
        d2l_decays_bias=False,
        sources=(_D2L_EN, _D2L_ZH),
        notes="l2_penalty is half the squared norm; d2l.sgd divides the summed gradient by |B|.",
    ),
    Convention(
        name="torch-sgd",
        framework="PyTorch, torch.optim.SGD",
        spelling="torch.optim.SGD(net.parameters(), lr={lr}, weight_decay={decay})",
        decay_name="weight_decay",
        family="sgd",
        loss=_MSE,
        loss_scale=2.0,
        update=r"w \leftarrow (1 - \eta\,\mathrm{wd})\,w - 2\eta\,\bar g",
        decay_scale=1.0,
        decays_bias=True,
        decays_norm=True,
        default=0.0,
        d2l_tab="PyTorch, concise (d2l-en and d2l-zh)",
        d2l_decays_bias=False,
        sources=("https://pytorch.org/docs/stable/generated/torch.optim.SGD.html", _D2L_EN),
        notes="d2l's tab passes two parameter groups, so only the weight is decayed.",
    ),
    Convention(
        name="torch-adam",
        framework="PyTorch, torch.optim.Adam",
        spelling="torch.optim.Adam(net.parameters(), lr={lr}, weight_decay={decay})",
        decay_name="weight_decay",
        family="adam",
        loss=_ANY,
        update=r"g \leftarrow \nabla L + \mathrm{wd}\,w;\ "
        r"w \leftarrow w - \eta\,\hat m/(\sqrt{\hat v} + \epsilon)",
        decays_bias=True,
        decays_norm=True,
        default=0.0,
        sources=("https://pytorch.org/docs/stable/generated/torch.optim.Adam.html",),
        notes="The L2 term is divided by sqrt(v) with the gradient: no decoupled decay equals it.",
    ),
    Convention(
        name="torch-adamw",
        framework="PyTorch, torch.optim.AdamW",
        spelling="torch.optim.AdamW(net.parameters(), lr={lr}, weight_decay={decay})",
        decay_name="weight_decay",
        family="adamw",
        loss=_ANY,
        update=_ADAMW,
        decays_bias=True,
        decays_norm=True,
        default=0.01,
        sources=("https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html",),
        notes="betas (0.9, 0.999), eps 1e-8 added to sqrt(v_hat).",
    ),
    Convention(
        name="keras-l2",
        framework="Keras 3, kernel_regularizer with loss='mse'",
        spelling="keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L2({decay}))\n"
        'model.compile(optimizer=keras.optimizers.SGD(learning_rate={lr}), loss="mse")',
        decay_name="l2",
        family="sgd",
        loss=_MSE,
        loss_scale=2.0,
        update=r"w \leftarrow (1 - 2\eta c)\,w - 2\eta\,\bar g",
        decay_scale=2.0,
        decays_bias=False,
        decays_norm=False,
        default=0.01,
        d2l_tab="TensorFlow, concise (d2l-en and d2l-zh)",
        d2l_decays_bias=False,
        sources=("https://keras.io/api/layers/regularizers/", _D2L_EN, _D2L_ZH),
        notes="L2(c) adds c times the squared norm, without 1/2; only the layers given it.",
    ),
    Convention(
        name="keras-adamw",
        framework="Keras 3, keras.optimizers.AdamW",
        spelling="keras.optimizers.AdamW(learning_rate={lr}, weight_decay={decay})",
        decay_name="weight_decay",
        family="adamw",
        loss=_ANY,
        update=r"w \leftarrow (1 - \eta\,\mathrm{wd})\,w - \eta\,"
        r"\tfrac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}\,m/(\sqrt{v} + \hat\epsilon)",
        decays_bias=True,
        decays_norm=True,
        default=0.004,
        sources=("https://keras.io/api/optimizers/adamw/",),
        notes="epsilon 1e-7 is added to sqrt(v) before the bias correction (Kingma and Ba's "
        "epsilon hat); exclude_from_weight_decay() exempts variables.",
    ),
    Convention(
        name="optax-sgd",
        framework="JAX, optax.add_decayed_weights chained with optax.sgd",
        spelling="optax.chain(optax.add_decayed_weights({decay}), optax.sgd({lr}))",
        decay_name="weight_decay",
        family="sgd",
        loss=_HALF,
        loss_scale=1.0,
        update=r"w \leftarrow (1 - \eta\,\mathrm{wd})\,w - \eta\,\bar g",
        decay_scale=1.0,
        decays_bias=True,
        decays_norm=True,
        default=0.0,
        d2l_tab="JAX, concise (d2l-en), with optax.l2_loss",
        d2l_decays_bias=True,
        sources=(
            _OPTAX_DECAY,
            _D2L_EN,
        ),
        notes="d2l's tab calls it optax.additive_weight_decay, a name optax no longer has; "
        "mask= exempts parameters.",
    ),
    Convention(
        name="optax-adamw",
        framework="JAX, optax.adamw",
        spelling="optax.adamw({lr}, weight_decay={decay})",
        decay_name="weight_decay",
        family="adamw",
        loss=_ANY,
        update=_ADAMW,
        decays_bias=True,
        decays_norm=True,
        default=1e-4,
        sources=("https://optax.readthedocs.io/en/latest/api/optimizers.html#optax.adamw",),
        notes="b1 0.9, b2 0.999, eps 1e-8 as PyTorch; mask= exempts parameters.",
    ),
    Convention(
        name="paddle-sgd",
        framework="PaddlePaddle, paddle.optimizer.SGD",
        spelling="paddle.optimizer.SGD(learning_rate={lr}, weight_decay={decay}, "
        "parameters=net.parameters())",
        decay_name="weight_decay",
        family="sgd",
        loss=_MSE,
        loss_scale=2.0,
        update=r"w \leftarrow (1 - \eta\,\mathrm{wd})\,w - 2\eta\,\bar g",
        decay_scale=1.0,
        decays_bias=True,
        decays_norm=True,
        default=0.0,
        d2l_tab="PaddlePaddle, concise (d2l-zh)",
        d2l_decays_bias=True,
        sources=(
            "https://www.paddlepaddle.org.cn/documentation/docs/en/api/paddle/optimizer/SGD_en.html",
            _D2L_ZH,
        ),
        notes="A float weight_decay is an L2Decay (0.5 coeff times the squared norm).",
    ),
    Convention(
        name="paddle-adamw",
        framework="PaddlePaddle, paddle.optimizer.AdamW",
        spelling="paddle.optimizer.AdamW(learning_rate={lr}, weight_decay={decay}, "
        "parameters=net.parameters())",
        decay_name="weight_decay",
        family="adamw",
        loss=_ANY,
        update=_ADAMW,
        decays_bias=True,
        decays_norm=True,
        default=0.01,
        sources=(
            "https://paddlepaddle.org.cn/documentation/docs/en/api/paddle/optimizer/AdamW_en.html",
        ),
        notes="apply_decay_param_fun(name) selects the decayed parameters.",
    ),
    Convention(
        name="mxnet-sgd",
        framework="MXNet Gluon, gluon.Trainer with 'sgd'",
        spelling='gluon.Trainer(net.collect_params(), "sgd", '
        '{{"learning_rate": {lr}, "wd": {decay}}})',
        decay_name="wd",
        family="sgd",
        loss=_HALF,
        loss_scale=1.0,
        update=r"w \leftarrow (1 - \eta\,\mathrm{wd})\,w - \eta\,\bar g",
        decay_scale=1.0,
        decays_bias=True,
        decays_norm=True,
        default=0.0,
        d2l_tab="MXNet, concise (d2l-en and d2l-zh), with gluon.loss.L2Loss",
        d2l_decays_bias=False,
        sources=(
            "https://mxnet.apache.org/versions/1.6.0/api/r/docs/api/mx.nd.sgd.update.html",
            _D2L_EN,
            _D2L_ZH,
        ),
        notes="A parameter's wd_mult multiplies wd; d2l sets it to 0 on the biases.",
    ),
    Convention(
        name="sklearn-ridge",
        framework="scikit-learn, sklearn.linear_model.Ridge",
        spelling="Ridge(alpha={decay})",
        decay_name="alpha",
        family="ridge",
        loss=r"\sum_{i=1}^{n} r_i^2",
        update=r"\min_{w,b}\ \lVert y - Xw - b\rVert^2 + \alpha\lVert w\rVert^2",
        decays_bias=False,
        default=1.0,
        sources=(
            "https://scikit-learn.org/stable/modules/generated/sklearn.linear_model.Ridge.html",
        ),
        notes="A closed-form solver: it has no learning rate, and alpha = n_train * lambd.",
    ),
    Convention(
        name="sklearn-sgd",
        framework="scikit-learn, sklearn.linear_model.SGDRegressor",
        spelling='SGDRegressor(penalty="l2", alpha={decay}, learning_rate="constant", eta0={lr})',
        decay_name="alpha",
        family="sgd",
        loss=r"\tfrac12 r_i^2",
        loss_scale=1.0,
        update=r"w \leftarrow (1 - \eta\alpha)\,w - \eta\,x_i r_i",
        decay_scale=1.0,
        decays_bias=False,
        default=1e-4,
        sources=(
            _SKLEARN_SGD,
            "https://scikit-learn.org/stable/modules/sgd.html#mathematical-formulation",
        ),
        notes="One example per step (batch size 1); its default learning rate decays.",
    ),
    Convention(
        name="fastai",
        framework="fastai, Learner with its default Adam",
        spelling="Learner(dls, net, loss_func=MSELossFlat(), lr={lr}, wd={decay})",
        decay_name="wd",
        family="adamw",
        loss=_ANY,
        update=_ADAMW,
        decays_bias=False,
        decays_norm=False,
        default=0.01,
        sources=("https://docs.fast.ai/optimizer.html", "https://docs.fast.ai/learner.html"),
        notes="Adam's defaults here are betas (0.9, 0.99) and eps 1e-5; MSELossFlat computes "
        "in float32; wd_bn_bias=True decays biases and normalization layers too.",
    ),
    Convention(
        name="hf-trainer",
        framework="Hugging Face Transformers, Trainer",
        spelling="TrainingArguments(learning_rate={lr}, weight_decay={decay}, "
        'lr_scheduler_type="constant")',
        decay_name="weight_decay",
        family="adamw",
        loss=_ANY,
        update=_ADAMW,
        decays_bias=False,
        decays_norm=False,
        default=0.0,
        sources=(_HF_ARGS,),
        notes="PyTorch's AdamW; the default linear schedule lowers the learning rate, and the "
        "decay with it.",
    ),
)
