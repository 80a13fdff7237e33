/* The λ playground of docs/playground.md: small hand-written SVG charts, no library, no network.
 *
 * Its data are written at build time by docs/_ext/playground_data.py, as scripts (so that the
 * page also works when opened from disk, where fetch() of a local file fails):
 * _static/playground-data.js sets window.weightdecayPlayground, what every view needs (the
 * settings, the grid of strengths, the sizes n and the file of each); the file of a size adds
 * its runs to window.weightdecayPlaygroundRuns, and is loaded when a reader first picks that
 * size. The λ slider's value is log10 of the strength and each of its positions is one grid
 * point; the n slider's value is the index of a size. The page looks records up and never
 * interpolates between them.
 *
 * The view lives in the address's fragment, #trainer=scratch&penalty=l2&lambda=3&n=20: a link
 * reproduces it. Every text the page writes comes from window.weightdecayPlaygroundStrings, in
 * the site's language, through t(key, values): the build puts them into the page from
 * docs/_ext/playground_strings.py (which also translates the page's own HTML). Numbers stay plain
 * numbers in every language.
 */
(function () {
  "use strict";

  const SVG_NS = "http://www.w3.org/2000/svg";
  const root = document.getElementById("wd-playground");
  if (!root) return;
  const byId = (id) => document.getElementById(id);
  // The folder of this script, where the data files are too.
  const BASE = document.currentScript ? document.currentScript.src.replace(/[^/]*$/, "") : "_static/";

  const STRINGS = window.weightdecayPlaygroundStrings || {};
  /** The string `key` of the site's language, its {placeholders} filled in from `values`. */
  function t(key, values) {
    const template = STRINGS[key];
    if (typeof template !== "string") {
      console.error(`weightdecay playground: no string "${key}"`);
      return key;
    }
    return template.replace(/\{(\w+)\}/g, (match, name) => {
      if (values && Object.prototype.hasOwnProperty.call(values, name)) return String(values[name]);
      console.error(`weightdecay playground: the string "${key}" needs a value for {${name}}`);
      return match;
    });
  }

  function fail(message) {
    const box = byId("wdp-error");
    box.textContent = message;
    box.hidden = false;
    root.dataset.state = "error";
  }

  const data = window.weightdecayPlayground;
  if (!data || !data.trainers || !data.files) {
    fail(t("error.no_data"));
    console.error("weightdecay playground: window.weightdecayPlayground is missing");
    return;
  }

  const slider = byId("lambda-slider");
  const nSlider = byId("n-slider");
  const DEFAULTS = { trainer: "scratch", penalty: "l2", index: 0, n: data.default_size };
  const state = Object.assign({}, DEFAULTS);

  // -- The runs of each size, loaded on demand ---------------------------------------------------
  const loaded = {}; // size -> its runs
  const pending = {}; // size -> the promise of its script
  function load(n) {
    if (loaded[n]) return Promise.resolve(loaded[n]);
    if (!pending[n]) {
      pending[n] = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = BASE + data.files[n].script;
        script.onload = () => {
          const runs = (window.weightdecayPlaygroundRuns || {})[n];
          if (runs) { loaded[n] = runs; resolve(runs); } else reject(new Error(script.src));
        };
        script.onerror = () => { delete pending[n]; reject(new Error(script.src)); };
        document.head.appendChild(script);
      });
    }
    return pending[n];
  }

  // -- Looking things up -------------------------------------------------------------------------
  const common = () => data.trainers[state.trainer];
  const sized = () => loaded[state.n].trainers[state.trainer];
  const penalty = () => (common().penalties.includes(state.penalty) ? state.penalty : "l2");
  const run = () => sized().runs[penalty()][state.index];
  const strengthName = () => (common().strength === "lambda" ? "λ" : "weight_decay");

  /** A number as text, with 4 significant digits: "0.001235", "105.1", "6.052e-5". */
  function fmt(value) {
    if (Number.isInteger(value)) return String(value);
    const rounded = Number(value.toPrecision(4));
    const tiny = rounded !== 0 && Math.abs(rounded) < 1e-3;
    return tiny ? rounded.toExponential() : String(rounded);
  }

  const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };

  /** A power of ten as an axis label: 0.01, 0.1, 1, 10, 100, else 10⁻⁵ or 10³. */
  function fmtPower(exponent) {
    if (exponent >= -2 && exponent <= 2) return String(Number((10 ** exponent).toPrecision(1)));
    return "10" + String(exponent).split("").map((c) => SUPERSCRIPT[c]).join("");
  }

  /** The index of the grid point closest to a log10 value (the slider's value). */
  function nearestIndex(log10Value) {
    const grid = common().grid;
    const k = Math.round((log10Value - grid.log10_min) / grid.log10_step);
    return Math.min(grid.num - 1, Math.max(0, k));
  }

  // -- SVG helpers -------------------------------------------------------------------------------
  function el(tag, attrs, parent) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    if (parent) parent.appendChild(node);
    return node;
  }

  function text(parent, x, y, content, attrs) {
    const node = el("text", Object.assign({ x, y }, attrs || {}), parent);
    node.textContent = content;
    return node;
  }

  function linearScale(d0, d1, r0, r1) {
    const f = (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
    f.invert = (p) => d0 + ((p - r0) / (r1 - r0)) * (d1 - d0);
    return f;
  }

  function logScale(d0, d1, r0, r1) {
    const inner = linearScale(Math.log10(d0), Math.log10(d1), r0, r1);
    const f = (v) => inner(Math.log10(v));
    f.invert = (p) => 10 ** inner.invert(p);
    return f;
  }

  /** Whole decades around [lo, hi], and at most `most` of them as ticks. */
  function decades(lo, hi, most) {
    const first = Math.floor(Math.log10(lo) + 1e-9), last = Math.ceil(Math.log10(hi) - 1e-9);
    const every = Math.max(1, Math.ceil((last - first + 1) / most));
    const ticks = [];
    for (let e = first; e <= last; e++) if (((e % every) + every) % every === 0) ticks.push(10 ** e);
    return { domain: [10 ** first, 10 ** last], ticks };
  }

  /** A tick of a log axis (a power of ten) as text. */
  const fmtDecade = (value) => fmtPower(Math.round(Math.log10(value)));

  /** Round tick values (1, 2 or 5 times a power of ten apart) across [lo, hi]. */
  function niceTicks(lo, hi, count) {
    const raw = (hi - lo) / count, power = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
    const ticks = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
      ticks.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(6)));
    }
    return ticks;
  }

  /** The smallest 1, 2 or 5 times a power of ten that is at least `value` (> 0). */
  function niceCeil(value) {
    if (!(value > 0)) return 1;
    const power = 10 ** Math.floor(Math.log10(value));
    return [1, 2, 5, 10].map((m) => m * power).find((v) => v >= value * (1 - 1e-12));
  }

  /** A chart's SVG, as wide as its box; `margin` leaves room for the axes. */
  function frame(box, height, margin, label) {
    const width = Math.max(160, Math.floor(box.clientWidth));
    const svg = el("svg", {
      width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label,
      class: "wdp-svg",
    });
    box.replaceChildren(svg);
    const plot = {
      left: margin.left, right: width - margin.right, top: margin.top, bottom: height - margin.bottom,
    };
    return { svg, width, height, plot };
  }

  /** A square-ish chart below a legend of up to two rows. */
  function squareFrame(box, label) {
    const width = Math.max(160, Math.floor(box.clientWidth));
    const height = Math.min(380, Math.round(width * 0.92) + 30);
    return frame(box, height, { left: 56, right: 12, top: 44, bottom: 44 }, label);
  }

  function axes(f, x, y, xTicks, yTicks, xFormat, yFormat, xLabel, yLabel) {
    const { svg, plot } = f;
    const grid = el("g", { class: "wdp-grid" }, svg);
    for (const tick of yTicks) {
      const py = y(tick);
      el("line", { x1: plot.left, x2: plot.right, y1: py, y2: py }, grid);
      text(svg, plot.left - 6, py + 4, yFormat(tick), { class: "wdp-tick", "text-anchor": "end" });
    }
    for (const tick of xTicks) {
      const px = x(tick);
      el("line", { x1: px, x2: px, y1: plot.top, y2: plot.bottom }, grid);
      text(svg, px, plot.bottom + 16, xFormat(tick), { class: "wdp-tick", "text-anchor": "middle" });
    }
    el("rect", {
      x: plot.left, y: plot.top, width: plot.right - plot.left, height: plot.bottom - plot.top,
      class: "wdp-frame",
    }, svg);
    text(svg, (plot.left + plot.right) / 2, plot.bottom + 34, xLabel, {
      class: "wdp-axis-label", "text-anchor": "middle",
    });
    const cy = (plot.top + plot.bottom) / 2;
    text(svg, 14, cy, yLabel, {
      class: "wdp-axis-label", "text-anchor": "middle", transform: `rotate(-90 14 ${cy})`,
    });
  }

  function polyline(parent, points, cls) {
    return el("polyline", { points: points.map((p) => p.join(",")).join(" "), class: cls }, parent);
  }

  function hline(f, y, cls) {
    el("line", { x1: f.plot.left, x2: f.plot.right, y1: y, y2: y, class: cls }, f.svg);
  }

  /** The width of a legend's text at 12 px: a full em for a CJK character, less for others. */
  const textWidth = (label) =>
    Array.from(label).reduce((sum, c) => sum + (c.codePointAt(0) >= 0x2e80 ? 12 : 6.6), 0);

  /** A legend along the top of a chart: [class of the swatch, label, "line" or "dot"]. */
  function legend(f, entries) {
    const g = el("g", { class: "wdp-legend" }, f.svg);
    let x = f.plot.left, y = 14;
    for (const [cls, label, kind] of entries) {
      const width = 26 + textWidth(label);
      if (x + width > f.width && x > f.plot.left) { x = f.plot.left; y += 16; }
      if (kind === "dot") el("circle", { cx: x + 8, cy: y - 4, r: 3.5, class: cls }, g);
      else el("line", { x1: x, x2: x + 18, y1: y - 4, y2: y - 4, class: cls }, g);
      text(g, x + 22, y, label, { class: "wdp-legend-text" });
      x += width + 8;
    }
    return y;
  }

  // -- The three charts --------------------------------------------------------------------------
  function drawLoss() {
    const tr = sized(), r = run(), epochs = data.epochs, zero = tr.zero_predictor_loss;
    const box = byId("wdp-loss-chart");
    const narrow = box.clientWidth < 420;
    const label = t("chart.loss.label", {
      epochs: epochs[epochs.length - 1], name: strengthName(), strength: fmt(r.strength), n: state.n,
      train_first: fmt(r.train_loss[0]), train_last: fmt(r.final_train_loss),
      test_first: fmt(r.test_loss[0]), test_last: fmt(r.final_test_loss), zero: fmt(zero),
    });
    const top = narrow ? 44 : 28;
    const f = frame(box, narrow ? 280 : 300, { left: 56, right: 12, top, bottom: 44 }, label);
    const { ticks, domain } = decades(...common().ranges.history, narrow ? 5 : 8);
    const x = linearScale(0, epochs[epochs.length - 1], f.plot.left, f.plot.right);
    const y = logScale(domain[0], domain[1], f.plot.bottom, f.plot.top);
    axes(f, x, y, niceTicks(0, epochs[epochs.length - 1], 5), ticks, String, fmtDecade,
      t("axis.epoch"), t("axis.loss"));
    hline(f, y(zero), "wdp-zero");
    for (const [values, cls] of [[r.train_loss, "wdp-train"], [r.test_loss, "wdp-test"]]) {
      polyline(f.svg, values.map((v, i) => [x(epochs[i]), y(v)]), `wdp-line ${cls}`);
      const last = values.length - 1;
      el("circle", { cx: x(epochs[last]), cy: y(values[last]), r: 3.5, class: `wdp-end ${cls}` }, f.svg);
    }
    legend(f, [
      ["wdp-line wdp-train", t("legend.train_loss"), "line"],
      ["wdp-line wdp-test", t("legend.test_loss"), "line"],
      ["wdp-zero", t("legend.zero_test"), "line"],
    ]);
  }

  function drawWeights() {
    const tr = common(), r = run(), w0 = tr.initial_w, tol = data.zero_tol;
    const box = byId("wdp-weights-chart");
    const zoomed = byId("wdp-zoom").checked;
    const described = {
      count: w0.length, name: strengthName(), strength: fmt(r.strength), n: state.n,
      norm_first: fmt(tr.initial_w_norm), norm_last: fmt(r.w_norm), near: r.near_zeros,
    };
    const f = squareFrame(box, zoomed
      ? t("chart.weights.label_zoomed", described)
      : t("chart.weights.label", described));
    const limit = Math.ceil(Math.max(...w0.map(Math.abs)) * 2) / 2;
    // The same scale up as across, so that shrinking shows; or zoomed to the final weights.
    const yLimit = zoomed ? niceCeil(1.05 * Math.max(...r.w.map(Math.abs))) : limit;
    const x = linearScale(-limit, limit, f.plot.left, f.plot.right);
    const y = linearScale(-yLimit, yLimit, f.plot.bottom, f.plot.top);
    axes(f, x, y, niceTicks(-limit, limit, 4), niceTicks(-yLimit, yLimit, 4), String, fmt,
      t("axis.initial_weight"), t("axis.final_weight"));
    const clip = `wdp-clip-${state.trainer}`;
    el("rect", {
      x: f.plot.left, y: f.plot.top, width: f.plot.right - f.plot.left, height: f.plot.bottom - f.plot.top,
    }, el("clipPath", { id: clip }, el("defs", {}, f.svg)));
    const g = el("g", { "clip-path": `url(#${clip})` }, f.svg);
    el("line", { x1: x(-limit), y1: y(-limit), x2: x(limit), y2: y(limit), class: "wdp-diagonal" }, g);
    el("line", { x1: x(-limit), y1: y(0), x2: x(limit), y2: y(0), class: "wdp-axis-zero" }, g);
    // Where the penalty alone would take each weight in T updates of step size lr.
    const lr = tr.settings.lr, T = loaded[state.n].num_updates, s = r.strength;
    const alone = penalty() === "l1"
      ? (v) => Math.sign(v) * Math.max(Math.abs(v) - T * lr * s, 0)
      : (v) => (1 - lr * s) ** T * v;
    const xs = [];
    for (let i = 0; i <= 200; i++) xs.push(-limit + (2 * limit * i) / 200);
    polyline(g, xs.map((v) => [x(v), y(alone(v))]), "wdp-alone");
    for (let i = 0; i < w0.length; i++) {
      const cls = Math.abs(r.w[i]) < tol ? "wdp-dot wdp-dot-near" : "wdp-dot";
      el("circle", { cx: x(w0[i]), cy: y(r.w[i]), r: 2.6, class: cls }, g);
    }
    legend(f, [
      ["wdp-dot", t("legend.weight"), "dot"],
      ["wdp-dot wdp-dot-near", t("legend.near_zero"), "dot"],
      ["wdp-alone", t("legend.penalty_alone"), "line"],
      ["wdp-diagonal", t("legend.unchanged"), "line"],
    ]);
  }

  function drawLambda() {
    const tr = sized(), grid = common().grid.values, k = state.index, zero = tr.zero_predictor_loss;
    const current = tr.runs[penalty()];
    const box = byId("wdp-lambda-chart");
    let best = 0;
    current.forEach((r, i) => { if (r.final_test_loss < current[best].final_test_loss) best = i; });
    const f = squareFrame(box, t("chart.lambda.label", {
      name: strengthName(), count: grid.length, first: fmt(grid[0]), last: fmt(grid[grid.length - 1]),
      n: state.n, best_loss: fmt(current[best].final_test_loss), best: fmt(grid[best]),
      chosen: fmt(grid[k]), chosen_loss: fmt(current[k].final_test_loss), theory: fmt(tr.theory[k]),
    }));
    const xd = decades(grid[0], grid[grid.length - 1], 6);
    const yd = decades(...common().ranges.final, 6);
    const x = logScale(grid[0], grid[grid.length - 1], f.plot.left, f.plot.right);
    const y = logScale(yd.domain[0], yd.domain[1], f.plot.bottom, f.plot.top);
    const xTicks = xd.ticks.filter((v) => v >= grid[0] * 0.999 && v <= grid[grid.length - 1]);
    axes(f, x, y, xTicks, yd.ticks, fmtDecade, fmtDecade, strengthName(), t("axis.final_test_loss"));
    hline(f, y(zero), "wdp-zero");
    polyline(f.svg, tr.theory.map((v, i) => [x(grid[i]), y(v)]), "wdp-line wdp-theory");
    const entries = [];
    for (const [name, records] of Object.entries(tr.runs)) {
      if (name === penalty()) continue;
      polyline(f.svg, records.map((r, i) => [x(grid[i]), y(r.final_test_loss)]), "wdp-line wdp-other");
      entries.push(["wdp-line wdp-other", name.toUpperCase(), "line"]);
    }
    polyline(f.svg, current.map((r, i) => [x(grid[i]), y(r.final_test_loss)]), "wdp-line wdp-test");
    entries.unshift(["wdp-line wdp-test", penalty().toUpperCase(), "line"]);
    const px = x(grid[k]), py = y(current[k].final_test_loss);
    el("line", { x1: px, x2: px, y1: f.plot.top, y2: f.plot.bottom, class: "wdp-guide" }, f.svg);
    el("circle", { cx: px, cy: py, r: 6, class: "wdp-marker" }, f.svg);
    entries.push(["wdp-line wdp-theory", t("legend.theory"), "line"], ["wdp-zero", t("legend.zero"), "line"]);
    legend(f, entries);
    // A click or tap picks the grid point closest to it (the slider stays the keyboard's way).
    f.svg.addEventListener("click", (event) => {
      const bounds = f.svg.getBoundingClientRect();
      const at = Math.min(f.plot.right, Math.max(f.plot.left, event.clientX - bounds.left));
      state.index = nearestIndex(Math.log10(x.invert(at)));
      show();
    });
  }

  // -- Readouts, facts and controls --------------------------------------------------------------
  function showReadouts() {
    const tr = sized(), r = run(), k = state.index;
    byId("lambda-value").textContent = fmt(r.strength);
    slider.setAttribute("aria-valuetext", t("slider.valuetext", { name: strengthName(), value: fmt(r.strength) }));
    byId("w-norm").textContent = fmt(r.w_norm);
    byId("train-loss").textContent = fmt(r.final_train_loss);
    byId("test-loss").textContent = fmt(r.final_test_loss);
    byId("exact-zeros").textContent = String(r.exact_zeros);
    byId("near-zeros").textContent = String(r.near_zeros);
    byId("converged-loss").textContent = fmt(tr.converged[k]);
    byId("theory-loss").textContent = fmt(tr.theory[k]);
    if (r.path_lambda !== undefined) byId("wdp-equivalent-lambda").textContent = fmt(r.path_lambda);
    for (const node of root.querySelectorAll("[data-wdp-mode]")) {
      node.hidden = node.getAttribute("data-wdp-mode") !== state.trainer;
    }
    const single = common().penalties.length === 1;
    byId("wdp-penalty").disabled = single;
    byId("wdp-penalty-note").hidden = !single;
    // Where SGD and the converged estimator on the same data disagree, say why.
    const note = byId("wdp-unfinished");
    const ratio = r.final_test_loss / tr.converged[k];
    note.hidden = !(penalty() === "l2" && Math.max(ratio, 1 / ratio) > data.disagreement_ratio);
    note.textContent = note.hidden ? "" : t("note.unfinished", {
      epochs: data.epochs[data.epochs.length - 1], sgd: fmt(r.final_test_loss), converged: fmt(tr.converged[k]),
    });
  }

  function showSize() {
    const index = data.sizes.indexOf(state.n);
    nSlider.value = String(index);
    byId("n-value").textContent = String(state.n);
    nSlider.setAttribute("aria-valuetext", t("n.valuetext", { n: state.n }));
  }

  function fillFacts() {
    const p = data.problem, s = data.trainers.scratch, c = data.trainers.concise;
    const size = loaded[state.n], files = Object.values(data.files).map((f) => f.bytes);
    const grid = (tr) => t("facts.grid", {
      num: tr.grid.num, step: tr.grid.log10_step,
      first: fmt(tr.grid.values[0]), last: fmt(tr.grid.values[tr.grid.num - 1]),
    });
    const training = (tr) => t("facts.training", {
      epochs: tr.settings.num_epochs, lr: tr.settings.lr, batch_size: tr.settings.batch_size,
      updates: size.num_updates, seed: tr.settings.seed,
    });
    const rows = [
      [t("facts.data.name"), t("facts.data", {
        seed: p.seed, n_train: state.n, n_test: p.n_test, num_inputs: p.num_inputs,
        true_w: p.true_w, true_b: p.true_b, noise: p.noise,
      })],
      [t("facts.sizes.name"), t("facts.sizes", {
        sizes: data.sizes.join(", "), first: Math.round(files[data.sizes.indexOf(state.n)] / 1024),
        least: Math.round(Math.min(...files) / 1024), most: Math.round(Math.max(...files) / 1024),
      })],
      [t("facts.scratch.name"), training(s)],
      [t("facts.concise.name"), training(c)],
      [t("facts.curvature.name"), t("facts.curvature", {
        value: fmt(data.curvature.bound), batch_size: data.curvature.batch_size,
      })],
      [t("facts.lambda_bound.name"), fmt(s.stability_bound)],
      [t("facts.lambda_grid.name"), grid(s)],
      [t("facts.wd_bound.name"), fmt(c.stability_bound)],
      [t("facts.wd_grid.name"), grid(c)],
      [t("facts.zero.name"), t("facts.zero", {
        n: state.n, loss: fmt(size.trainers.scratch.zero_predictor_loss),
        loss_squared: fmt(size.trainers.concise.zero_predictor_loss),
        expected: fmt(data.theory.expected_zero_predictor_mse / 2),
      })],
      [t("facts.theory.name"), t("facts.theory", {
        w_norm: fmt(data.theory.w_norm), noise: data.theory.noise,
      })],
      [t("facts.near_zero.name"), t("facts.near_zero", { tol: data.zero_tol })],
      [t("facts.rounding.name"), t("facts.rounding", { digits: data.significant_digits })],
      [t("facts.computed_by.name"), t("facts.computed_by", {
        version: data.weightdecay_version, script: data.generated_by,
      })],
    ];
    const body = document.querySelector("#wdp-facts tbody");
    if (body) {
      body.replaceChildren(...rows.map(([name, value]) => {
        const row = document.createElement("tr");
        const th = document.createElement("th");
        th.scope = "row";
        th.textContent = name;
        const td = document.createElement("td");
        td.textContent = value;
        row.append(th, td);
        return row;
      }));
    }
    const download = byId("wdp-download");
    if (download) download.href = BASE + data.files[state.n].json;
    for (const node of root.querySelectorAll("[data-wdp-fact]")) {
      const key = node.getAttribute("data-wdp-fact");
      node.textContent = String(key === "num_inputs" ? data.problem.num_inputs : data[key]);
    }
  }

  function syncSlider() {
    const grid = common().grid;
    slider.min = String(grid.log10_min);
    slider.max = String(grid.log10_max);
    slider.step = String(grid.log10_step);
    slider.value = String(grid.log10[state.index]);
  }

  // -- The view in the address -------------------------------------------------------------------
  const hashOf = () => `#trainer=${state.trainer}&penalty=${state.penalty}` +
    `&lambda=${fmt(common().grid.values[state.index])}&n=${state.n}`;

  let hashTimer = 0;
  function writeHash(now) {
    clearTimeout(hashTimer);
    const write = () => {
      // replaceState: the view changes, the browser's history does not grow.
      try { history.replaceState(null, "", hashOf()); } catch (error) { /* not allowed here */ }
    };
    if (now) write(); else hashTimer = setTimeout(write, 250);
  }

  /** Read the address's fragment into the state; say which of its entries were not valid. */
  function readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    const wrong = [];
    const take = (key, valid, use) => {
      if (!params.has(key)) return;
      const value = params.get(key);
      if (valid(value)) use(value);
      else wrong.push(`${key}=${value}`);
    };
    Object.assign(state, DEFAULTS);
    take("trainer", (v) => Object.prototype.hasOwnProperty.call(data.trainers, v), (v) => { state.trainer = v; });
    take("penalty", (v) => v === "l1" || v === "l2", (v) => { state.penalty = v; });
    take("n", (v) => /^\d+$/.test(v) && data.sizes.includes(Number(v)), (v) => { state.n = Number(v); });
    take("lambda", (v) => {
      const grid = common().grid, value = Number(v);
      const at = Math.log10(value), half = grid.log10_step / 2;
      return /^[0-9.e+-]+$/i.test(v) && value > 0 && at >= grid.log10_min - half && at <= grid.log10_max + half;
    }, (v) => { state.index = nearestIndex(Math.log10(Number(v))); });
    for (const input of root.querySelectorAll("input[type=radio]")) {
      input.checked = input.value === state[input.name];
    }
    const note = byId("wdp-hash-note");
    note.hidden = wrong.length === 0;
    note.textContent = note.hidden ? "" : t("hash.invalid", { entries: wrong.join(", ") });
  }

  // -- Drawing -----------------------------------------------------------------------------------
  function update() {
    showSize();
    showReadouts();
    drawLoss();
    drawWeights();
    drawLambda();
    fillFacts();
    byId("wdp-loading").hidden = true;
    root.dataset.state = "ready";
    root.dataset.n = String(state.n);
  }

  /** Show the state: at once if its size's runs are here, else once they have loaded. */
  function show() {
    syncSlider();
    showSize();
    writeHash(false);
    const n = state.n;
    if (loaded[n]) { update(); return; }
    root.dataset.state = "loading";
    const status = byId("wdp-loading");
    status.textContent = t("status.loading", { n });
    status.hidden = false;
    load(n).then(() => { if (state.n === n) update(); }, () => fail(t("error.no_runs", { n })));
  }

  slider.addEventListener("input", () => {
    state.index = nearestIndex(Number(slider.value));
    show();
  });
  slider.addEventListener("change", syncSlider); // land exactly on the grid point
  nSlider.min = "0";
  nSlider.max = String(data.sizes.length - 1);
  nSlider.step = "1";
  nSlider.addEventListener("input", () => {
    state.n = data.sizes[Math.min(data.sizes.length - 1, Math.max(0, Math.round(Number(nSlider.value))))];
    show();
  });
  byId("wdp-zoom").addEventListener("change", () => { if (loaded[state.n]) drawWeights(); });
  for (const input of root.querySelectorAll("input[type=radio]")) {
    input.addEventListener("change", () => {
      if (!input.checked) return;
      state[input.name] = input.value;
      show();
    });
  }
  byId("wdp-copy-link").addEventListener("click", () => {
    writeHash(true);
    const url = location.href, status = byId("wdp-copy-status");
    const done = () => { status.textContent = t("share.copied"); };
    const manual = () => { status.textContent = t("share.manual", { url }); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(done, manual);
    } else {
      manual();
    }
  });
  let resizeFrame = 0, lastWidth = root.clientWidth;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(resizeFrame);
    resizeFrame = requestAnimationFrame(() => {
      if (root.clientWidth !== lastWidth && loaded[state.n]) { lastWidth = root.clientWidth; update(); }
    });
  });
  window.addEventListener("hashchange", () => {
    readHash();
    show();
  });

  readHash();
  show();
})();
