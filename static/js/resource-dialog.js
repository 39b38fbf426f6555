/* The agreement form's "Propose a missing resource" dialog.
 *
 * The dialog posts to the server (agreements:resource-create, asking for JSON) and puts the new
 * resource in every flow row's resource list, the rows not added yet included, and chooses it in
 * the first row that has none; the agreement stays as typed. The park it is proposed for starts
 * as the agreement's park. Errors come back as the dialog's fields, drawn by the server.
 *
 * Without JavaScript the link opens the resource form in a new tab (CSP allows no inline script,
 * hence this file).
 */
(function () {
  "use strict";

  const dialog = document.getElementById("resource-dialog");
  if (!dialog) {
    return;
  }
  const dialogForm = dialog.querySelector("[data-resource-form]");
  const dialogFields = dialog.querySelector("[data-resource-fields]");
  const blankFields = dialogFields.innerHTML;
  const text = document.getElementById("resource-dialog-text").dataset;
  const status = document.getElementById("agreement-form-status");
  const RESOURCE_SELECTS = 'select[name^="flows-"][name$="-resource"]';
  let dialogTarget = null;

  function announce(message) {
    if (!status) {
      return;
    }
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  function ensureOption(select, id, label) {
    const value = String(id);
    const exists = Array.from(select.options).some(function (option) {
      return option.value === value;
    });
    if (!exists) {
      select.add(new Option(label, value));
    }
  }

  function addResourceEverywhere(id, label) {
    document.querySelectorAll(RESOURCE_SELECTS).forEach(function (select) {
      ensureOption(select, id, label);
    });
    document.querySelectorAll("template[data-empty-row]").forEach(function (template) {
      template.content.querySelectorAll(RESOURCE_SELECTS).forEach(function (select) {
        ensureOption(select, id, label);
      });
    });
  }

  function firstEmptyResourceSelect() {
    const selects = Array.from(document.querySelectorAll('[data-formset="flows"] [data-rows] ' + RESOURCE_SELECTS));
    return selects.find(function (select) {
      return !select.value;
    }) || null;
  }

  function choosePark() {
    const agreementPark = document.getElementById("id_park");
    const park = dialogForm.querySelector('[name="resource-park"]');
    if (agreementPark && park && agreementPark.value) {
      const offered = Array.from(park.options).some(function (option) {
        return option.value === agreementPark.value;
      });
      if (offered) {
        park.value = agreementPark.value;
      }
    }
  }

  document.querySelectorAll("[data-add-resource]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      dialogTarget = firstEmptyResourceSelect();
      dialogFields.innerHTML = blankFields;
      choosePark();
      window.bootstrap.Modal.getOrCreateInstance(dialog).show();
    });
  });

  dialog.addEventListener("shown.bs.modal", function () {
    const first = dialogForm.querySelector(".is-invalid, input:not([type=hidden]), select");
    if (first) {
      first.focus();
    }
  });

  dialogForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    let response;
    let data = {};
    try {
      response = await fetch(dialogForm.action, {
        method: "POST",
        body: new FormData(dialogForm),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      data = await response.json();
    } catch (error) {
      response = null;
    }
    if (response && response.status === 201) {
      addResourceEverywhere(data.id, data.label);
      if (dialogTarget) {
        dialogTarget.value = String(data.id);
        dialogTarget.dispatchEvent(new Event("change", { bubbles: true }));
      }
      window.bootstrap.Modal.getOrCreateInstance(dialog).hide();
      announce(text.added.replace("%s", data.label));
      if (dialogTarget) {
        dialogTarget.focus();
      }
    } else if (data.html) {
      dialogFields.innerHTML = data.html;
      const invalid = dialogForm.querySelector(".is-invalid");
      if (invalid) {
        invalid.focus();
      }
    } else {
      announce(text.failed);
      window.alert(text.failed);
    }
  });
})();
