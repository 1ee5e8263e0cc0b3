// Social calendar: drag a post onto another day (month) or hour (week) to move it.
// HTML5 drag and drop; the move is an htmx POST; the server answers HX-Refresh. No inline script.
(function () {
  "use strict";

  function calendar() { return document.getElementById("social-calendar"); }

  function onDragStart(event) {
    var post = event.target.closest("[data-reschedule-url]");
    if (!post) return;
    event.dataTransfer.setData("text/plain", post.dataset.rescheduleUrl);
    event.dataTransfer.effectAllowed = "move";
  }

  function dropCell(event) { return event.target.closest("[data-drop-day]"); }

  function onDragOver(event) {
    var cell = dropCell(event);
    if (!cell) return;
    event.preventDefault();
    cell.classList.add("social-drop-over");
  }

  function onDragLeave(event) {
    var cell = dropCell(event);
    if (cell) cell.classList.remove("social-drop-over");
  }

  function onDrop(event) {
    var cell = dropCell(event);
    if (!cell) return;
    event.preventDefault();
    cell.classList.remove("social-drop-over");
    var url = event.dataTransfer.getData("text/plain");
    if (!url || typeof htmx === "undefined") return;
    var values = { day: cell.dataset.dropDay };
    if (cell.dataset.dropHour) values.hour = cell.dataset.dropHour;
    htmx.ajax("POST", url, {
      values: values,
      headers: { "X-CSRFToken": calendar().dataset.csrf },
      swap: "none",
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = calendar();
    if (!root) return;
    root.addEventListener("dragstart", onDragStart);
    root.addEventListener("dragover", onDragOver);
    root.addEventListener("dragleave", onDragLeave);
    root.addEventListener("drop", onDrop);
  });
})();
