/* 武隆督办 cockpit: small behaviours, no inline scripts (the pages run under a CSP).
 * - a button or link with data-confirm asks before it acts (销号, 撤销, 催办全部逾期);
 * - a link with data-print prints the page (通报). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-print]");
    if (link) {
      event.preventDefault();
      window.print();
    }
  });
})();
