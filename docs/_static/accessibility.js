// Accessibility fixes that depend on the window's width (see docs/_ext/accessibility.py). They
// run once the page is laid out, again once MathJax has typeset the formulas, and on resizing.
(() => {
  // Reflow (WCAG 1.4.10): mark each in-line formula wider than its line (on a phone, say);
  // accessibility.css lets it scroll inside itself.
  const markWideFormulas = () => {
    const formulas = Array.from(document.querySelectorAll("mjx-container:not([display='true'])"));
    for (const math of formulas) math.classList.remove("wide-math");
    const wide = formulas.filter((math) => {
      const line = math.parentElement.closest("p, li, dd, dt, td, th, div");
      return line && math.getBoundingClientRect().width > line.clientWidth;
    });
    for (const math of wide) math.classList.add("wide-math");
  };

  // scrollable-region-focusable (axe): a box that scrolls, such as a code block wider than its
  // column or a long script output (sphinx-gallery caps its height), can be scrolled from the
  // keyboard only if it takes focus. Make each box that scrolls focusable, and only those.
  const BOXES = "pre, .table-wrapper, .math-wrapper, div.math, mjx-container";
  const scrolls = (box) =>
    box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight;
  const focusScrollingBoxes = () => {
    for (const box of document.querySelectorAll(BOXES)) {
      if (scrolls(box)) box.setAttribute("tabindex", "0");
      else if (box.getAttribute("tabindex") === "0") box.removeAttribute("tabindex");
    }
  };

  const update = () => {
    markWideFormulas();
    focusScrollingBoxes();
  };
  let pending = null;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(update, 100);
  });
  document.addEventListener("DOMContentLoaded", update);
  window.addEventListener("load", () => {
    update();
    window.MathJax?.startup?.promise?.then(update);
  });
})();
