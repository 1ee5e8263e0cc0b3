// Composer: list the catalog images of the selected products, and put one in the image field.
// The server renders every offered image (hidden unless selected); this only shows, hides and
// copies. Changing the field fires "change", so the htmx autosave stores it. No inline script.
(function () {
  "use strict";

  function selectedIds(select) {
    var ids = {};
    Array.prototype.forEach.call(select.selectedOptions, function (option) {
      ids[option.value] = true;
    });
    return ids;
  }

  function showSelected(section, select) {
    var ids = selectedIds(select);
    var shown = 0;
    section.querySelectorAll("[data-product-image]").forEach(function (item) {
      item.hidden = !ids[item.dataset.productImage];
      if (!item.hidden) shown += 1;
    });
    var empty = section.querySelector("[data-product-images-empty]");
    if (empty) empty.hidden = shown > 0;
  }

  // A post publishes one image (Instagram takes no carousel from here): the chosen one replaces it.
  function useImage(field, url) {
    if (field.value.trim() === url) return;
    field.value = url;
    field.dispatchEvent(new Event("change", { bubbles: true }));
    field.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var section = document.getElementById("product-images");
    var select = document.getElementById("id_products");
    var field = document.getElementById("id_image_urls");
    if (!section || !select || !field) return;
    select.addEventListener("change", function () { showSelected(section, select); });
    section.addEventListener("click", function (event) {
      var button = event.target.closest("[data-use-image]");
      if (button) useImage(field, button.dataset.useImage);
    });
  });
})();
