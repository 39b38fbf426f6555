/* The agreement form, progressively enhanced.
 *
 * - Rows are added by cloning the formset's empty form (or its blank spare row), and removed (when saving) with a
 *   button that ticks the row's "remove" box and can be undone: nothing typed is lost.
 * - An organisation is chosen by typing a few letters of its name in either language; the
 *   plain <select> stays in the form and carries the value. The server puts in it only the
 *   organisation chosen (a registry holds tens of thousands): the search adds the one picked.
 *   The "find it by name" box that the server looks names up with, for browsers without
 *   JavaScript, is removed.
 * - A missing organisation is added in a dialog that posts to the server and puts the new
 *   organisation in every list, without leaving the page.
 * - A flow's provider and receiver lists offer the parties entered above, added to them as
 *   they are chosen.
 *
 * Without JavaScript the form still works: names typed in the "find it by name" boxes are
 * looked up when the form is sent (several matches come back in the list to choose from),
 * spare rows, "remove" boxes, and a link that opens the organisation form in a new tab.
 */
(function () {
  "use strict";

  const form = document.querySelector("[data-agreement-form]");
  if (!form) {
    return;
  }
  const searchUrl = form.dataset.organisationSearchUrl;
  const text = document.getElementById("agreement-form-text").dataset;
  const status = document.getElementById("agreement-form-status");
  const MIN_LETTERS = 2;
  const ORGANISATION_SELECTS = "select[data-organisation-select], select[data-party-select]";

  function announce(message) {
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  function makeButton(label, className) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = className;
    button.textContent = label;
    return button;
  }

  function selectedLabel(select) {
    const option = select.options[select.selectedIndex];
    return option && option.value ? option.textContent : "";
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

  /* Every organisation list, including those of rows not added yet. */
  function addOrganisationEverywhere(id, label) {
    document.querySelectorAll(ORGANISATION_SELECTS).forEach(function (select) {
      ensureOption(select, id, label);
    });
    document.querySelectorAll("template[data-empty-row]").forEach(function (template) {
      template.content.querySelectorAll(ORGANISATION_SELECTS).forEach(function (select) {
        ensureOption(select, id, label);
      });
    });
  }

  function setOrganisation(select, id, label) {
    ensureOption(select, id, label);
    select.value = String(id);
    const input = document.getElementById(select.id + "-search");
    if (input) {
      input.value = label;
      input.classList.remove("is-invalid");
    }
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  /* ---- Provider and receiver: the parties entered above ---- */

  function isRemoved(row) {
    const box = row.querySelector("[data-delete-field] input[type=checkbox]");
    return Boolean(box && box.checked);
  }

  function syncPartyChoices() {
    const chosen = new Map();
    document.querySelectorAll('[data-formset="parties"] [data-rows] [data-row]').forEach(function (row) {
      const select = row.querySelector("select[data-organisation-select]");
      if (select && select.value && !isRemoved(row)) {
        chosen.set(select.value, selectedLabel(select));
      }
    });
    document.querySelectorAll('[data-formset="flows"] [data-rows] select[data-party-select]').forEach(function (select) {
      chosen.forEach(function (label, value) {
        ensureOption(select, value, label);
      });
      Array.from(select.options).forEach(function (option) {
        option.hidden = Boolean(
          option.value && chosen.size && !chosen.has(option.value) && option.value !== select.value
        );
      });
    });
  }

  /* ---- Choosing an organisation by typing ---- */

  function enhanceOrganisationSelect(select) {
    if (select.dataset.enhanced) {
      return;
    }
    select.dataset.enhanced = "true";
    // The box the server looks names up with when there is no script: the search replaces it.
    const lookup = document.getElementById(select.id + "_query");
    if (lookup) {
      (document.getElementById("div_" + lookup.id) || lookup).remove();
    }
    const listId = select.id + "-options";
    const wrapper = document.createElement("div");
    wrapper.className = "organisation-picker position-relative";
    const input = document.createElement("input");
    input.type = "text";
    input.id = select.id + "-search";
    input.className = "form-control" + (select.classList.contains("is-invalid") ? " is-invalid" : "");
    input.autocomplete = "off";
    input.placeholder = text.typeToSearch;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    if (select.getAttribute("aria-describedby")) {
      input.setAttribute("aria-describedby", select.getAttribute("aria-describedby"));
    }
    input.value = selectedLabel(select);
    const list = document.createElement("ul");
    list.id = listId;
    list.className = "list-group position-absolute w-100 shadow organisation-options";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    const hint = document.createElement("div");
    hint.className = "form-text text-warning-emphasis";
    hint.hidden = true;
    hint.textContent = text.notChosen;
    wrapper.append(input, list, hint);
    select.before(wrapper);
    select.hidden = true;
    select.tabIndex = -1;
    const label = document.querySelector('label[for="' + select.id + '"]');
    if (label) {
      label.htmlFor = input.id;
    }

    let items = [];
    let active = -1;
    let timer = null;
    let controller = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const options = list.querySelectorAll("[role=option]");
      options.forEach(function (option, i) {
        option.classList.toggle("active", i === index);
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      }
    }

    function pick(item) {
      close();
      hint.hidden = true;
      if (item.add) {
        openDialog({ name: item.name, target: select });
      } else {
        setOrganisation(select, item.id, item.label);
      }
    }

    function render(results, query) {
      items = results.slice();
      items.push({ add: true, name: query });
      list.replaceChildren();
      items.forEach(function (item, i) {
        const option = document.createElement("li");
        option.id = listId + "-" + i;
        option.className = "list-group-item list-group-item-action";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        if (item.add) {
          option.classList.add("fst-italic");
          option.textContent = text.addNew.replace("%s", query);
        } else {
          option.textContent = item.label;
          const kind = document.createElement("span");
          kind.className = "visually-hidden";
          kind.textContent = " (" + item.kind + ")";
          option.append(kind);
        }
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          pick(item);
        });
        list.append(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      announce(results.length ? text.found.replace("%s", results.length) : text.noMatch);
    }

    async function search() {
      const query = input.value.trim();
      if (query.length < MIN_LETTERS) {
        close();
        return;
      }
      if (controller) {
        controller.abort();
      }
      controller = new AbortController();
      try {
        const response = await fetch(searchUrl + "?q=" + encodeURIComponent(query), {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
          signal: controller.signal,
        });
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        const data = await response.json();
        render(data.results, query);
      } catch (error) {
        if (error.name !== "AbortError") {
          render([], query);
        }
      }
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        if (event.key === "ArrowDown" && input.value.trim().length >= MIN_LETTERS) {
          event.preventDefault();
          search();
        }
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        event.preventDefault();
        if (active >= 0) {
          pick(items[active]);
        } else if (items.length > 1) {
          pick(items[0]);
        }
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(function () {
        close();
        const typed = input.value.trim();
        if (!typed && select.value) {
          select.value = "";
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
        // Typed but not chosen: keep what was typed and say so.
        hint.hidden = !typed || typed === selectedLabel(select);
      }, 150);
    });
  }

  /* ---- Rows ---- */

  function enhanceRow(row) {
    const deleteField = row.querySelector("[data-delete-field]");
    const box = deleteField && deleteField.querySelector("input[type=checkbox]");
    const fields = row.querySelector("[data-row-fields]");
    if (box && fields) {
      const labelText = deleteField.querySelector("label").textContent.trim();
      deleteField.hidden = true;
      const remove = makeButton(labelText, "btn btn-sm btn-outline-danger");
      const note = document.createElement("p");
      note.className = "mb-0";
      note.textContent = text.removed + " ";
      const undo = makeButton(text.undo, "btn btn-sm btn-link align-baseline p-0");
      note.append(undo);
      deleteField.after(remove, note);
      const show = function (removed) {
        box.checked = removed;
        fields.hidden = removed;
        remove.hidden = removed;
        note.hidden = !removed;
        syncPartyChoices();
      };
      remove.addEventListener("click", function () {
        show(true);
        undo.focus();
        announce(text.removed);
      });
      undo.addEventListener("click", function () {
        show(false);
        remove.focus();
      });
      show(box.checked);
    }
    row.querySelectorAll("select[data-organisation-select]").forEach(function (select) {
      enhanceOrganisationSelect(select);
      select.addEventListener("change", syncPartyChoices);
    });
  }

  function addRow(section) {
    const prefix = section.dataset.formset;
    const total = section.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    const rows = section.querySelector("[data-rows]");
    const template = section.querySelector("template[data-empty-row]");
    const index = Number(total.value);
    const max = section.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
    if (max && index >= Number(max.value)) {
      announce(text.tooManyRows);
      return null;
    }
    const holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    const row = holder.querySelector("[data-row]");
    const number = row.querySelector("[data-row-number]");
    if (number) {
      number.textContent = String(index + 1);
    }
    rows.append(row);
    total.value = String(index + 1);
    enhanceRow(row);
    syncPartyChoices();
    return row;
  }

  /* The page draws an empty row in a <template> only when no spare row is left blank; else
   * the blank spare row, as the server drew it, is the empty row, its number made a mark. */
  function keepSpareRowAsEmptyRow(section) {
    const spare = section.querySelector("[data-rows] [data-spare-row]");
    if (!spare || section.querySelector("template[data-empty-row]")) {
      return;
    }
    const copy = spare.cloneNode(true);
    copy.removeAttribute("data-spare-row");
    const template = document.createElement("template");
    template.dataset.emptyRow = "";
    template.innerHTML = copy.outerHTML
      .split(spare.dataset.spareRow + "-")
      .join(section.dataset.formset + "-__prefix__-");
    section.querySelector("[data-rows]").after(template);
  }

  document.querySelectorAll("[data-formset]").forEach(function (section) {
    keepSpareRowAsEmptyRow(section);
    section.querySelectorAll("[data-rows] [data-row]").forEach(enhanceRow);
    const button = section.querySelector("[data-add-row]");
    button.hidden = false;
    button.addEventListener("click", function () {
      const row = addRow(section);
      if (!row) {
        return;
      }
      const first = row.querySelector("input[type=text], select:not([hidden]), textarea");
      if (first) {
        first.focus();
      }
      announce(text.rowAdded);
    });
  });
  syncPartyChoices();

  /* ---- Adding a missing organisation ---- */

  const dialog = document.getElementById("organisation-dialog");
  const dialogForm = dialog.querySelector("[data-organisation-form]");
  const dialogFields = dialog.querySelector("[data-organisation-fields]");
  const blankFields = dialogFields.innerHTML;
  let dialogTarget = null;

  function firstEmptyPartySelect() {
    const section = document.querySelector('[data-formset="parties"]');
    const rows = Array.from(section.querySelectorAll("[data-rows] [data-row]"));
    const empty = rows.find(function (row) {
      const select = row.querySelector("select[data-organisation-select]");
      return select && !select.value && !isRemoved(row);
    });
    const row = empty || addRow(section) || rows[rows.length - 1];
    return row.querySelector("select[data-organisation-select]");
  }

  function openDialog(options) {
    dialogTarget = options.target || null;
    dialogFields.innerHTML = blankFields;
    if (options.name) {
      // Accented letters suggest the Vietnamese name.
      const vietnamese = /[\u0300-\u036f]/.test(options.name.normalize("NFD")) || /[đĐ]/.test(options.name);
      const field = dialogForm.querySelector('[name="organisation-name_' + (vietnamese ? "vi" : "en") + '"]');
      if (field) {
        field.value = options.name;
      }
    }
    window.bootstrap.Modal.getOrCreateInstance(dialog).show();
  }

  dialog.addEventListener("shown.bs.modal", function () {
    const first = dialogForm.querySelector(".is-invalid, select, input:not([type=hidden])");
    if (first) {
      first.focus();
    }
  });

  document.querySelectorAll("[data-add-organisation]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      openDialog({});
    });
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
      addOrganisationEverywhere(data.id, data.label);
      const target = dialogTarget || firstEmptyPartySelect();
      setOrganisation(target, data.id, data.label);
      window.bootstrap.Modal.getOrCreateInstance(dialog).hide();
      announce(text.added.replace("%s", data.label));
      const input = document.getElementById(target.id + "-search");
      if (input) {
        input.focus();
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
