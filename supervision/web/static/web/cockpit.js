/* 武隆督办 cockpit: small behaviours, no inline scripts (the pages run under a CSP).
 * - a button or link with data-confirm asks before it acts (销号, 撤销, 催办全部逾期);
 * - a link with data-print prints the page (通报);
 * - on a phone (below 640 px) folds (the list filters) start closed unless a filter is set. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
  if (window.matchMedia && window.matchMedia("(max-width: 640px)").matches) {
    document.querySelectorAll("details.fold[data-fold-phone]").forEach(function (fold) {
      fold.open = false;
    });
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-print]");
    if (link) {
      event.preventDefault();
      window.print();
    }
  });
})();
