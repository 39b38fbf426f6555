// The Django admin's autocomplete fields (Select2) named by their label: Select2 names its
// combobox by the option chosen, which is no name at all while none is (WCAG 4.1.2). Each
// combobox and its text box are labelled by the field's label and what is chosen; in a table
// of rows (a tabular inline), where a field has no label, by the column's name the field
// carries (aria-label, agreements/admin.py). Run once the admin has started Select2: in
// jQuery's ready queue after the admin's own (autocomplete.js, loaded before this file), and
// after the admin's handler of each row added.
(function () {
  "use strict";

  function labelComboboxes(root) {
    root.querySelectorAll("select.admin-autocomplete[id]").forEach(function (select) {
      const container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) {
        return;
      }
      const combobox = container.querySelector(".select2-selection[role=combobox]");
      const rendered = container.querySelector(".select2-selection__rendered");
      if (!combobox || !rendered) {
        return;
      }
      const label = document.querySelector('label[for="' + select.id + '"]');
      let name;
      if (label) {
        label.id = label.id || select.id + "-label";
        name = label.id;
      } else if (select.getAttribute("aria-label")) {
        const hidden = document.createElement("span");
        hidden.id = select.id + "-label";
        hidden.hidden = true;
        hidden.textContent = select.getAttribute("aria-label");
        container.appendChild(hidden);
        name = hidden.id;
      } else {
        return;
      }
      combobox.setAttribute("aria-labelledby", name + " " + rendered.id);
      rendered.setAttribute("aria-labelledby", name);
    });
  }

  if (!window.django || !window.django.jQuery) {
    return;
  }
  window.django.jQuery(function () {
    labelComboboxes(document);
  });
  document.addEventListener("formset:added", function (event) {
    labelComboboxes(event.target);
  });
})();
