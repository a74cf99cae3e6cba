// Small behaviours without inline script (the content security policy forbids it).
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-nav-toggle]");
  if (toggle) {
    document.body.classList.toggle("nav-open");
    toggle.setAttribute("aria-expanded", document.body.classList.contains("nav-open"));
  }
});
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-autosubmit]")) {
    event.target.form.requestSubmit();
  }
});
document.addEventListener("submit", (event) => {
  const message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
// Print buttons (the printable ledger): shown only where this script runs.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
// A button that asks first (one of several submit buttons in a form).
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
// Drafts: a form marked data-draft="<key>" keeps what is typed in this device's storage, so a
// dropped connection loses nothing. The draft is put back when the server sends the form
// unfilled (no data-draft-bound: a form sent back with errors already holds what was typed),
// and dropped when a later page names its key in data-draft-clear (the form was saved).
(() => {
  const PREFIX = "zhengdun-draft:";
  const MAX_AGE = 7 * 24 * 3600 * 1000;
  let storage = null;
  try {
    storage = window.localStorage;
    storage.setItem(PREFIX, "1");
    storage.removeItem(PREFIX);
  } catch (error) {
    return; // private mode or storage off: forms work as before
  }
  document.querySelectorAll("[data-draft-clear]").forEach((element) => {
    element.getAttribute("data-draft-clear").split(/\s+/).filter(Boolean).forEach((key) => {
      storage.removeItem(PREFIX + key);
    });
  });
  const SKIP = ["file", "password", "hidden", "submit", "button", "reset", "image"];
  const fields = (form) => Array.from(form.elements).filter(
    (field) => field.name && !field.disabled && !SKIP.includes(field.type),
  );
  const read = (form) => {
    const values = {};
    fields(form).forEach((field) => {
      const list = values[field.name] || (values[field.name] = []);
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked) list.push(field.value);
      } else if (field.tagName === "SELECT" && field.multiple) {
        Array.from(field.selectedOptions).forEach((option) => list.push(option.value));
      } else {
        list.push(field.value);
      }
    });
    return values;
  };
  const write = (form, values) => {
    const seen = {};
    fields(form).forEach((field) => {
      const list = values[field.name];
      if (!Array.isArray(list)) return;
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = list.includes(field.value);
      } else if (field.tagName === "SELECT") {
        Array.from(field.options).forEach((option, index) => {
          if (field.multiple) option.selected = list.includes(option.value);
          else if (option.value === list[0]) field.selectedIndex = index;
        });
      } else {
        const index = seen[field.name] || 0;
        seen[field.name] = index + 1;
        if (index < list.length) field.value = list[index];
      }
    });
  };
  document.querySelectorAll("form[data-draft]").forEach((form) => {
    const key = PREFIX + form.getAttribute("data-draft");
    const note = form.querySelector("[data-draft-note]");
    if (!form.hasAttribute("data-draft-bound")) {
      let saved = null;
      try {
        saved = JSON.parse(storage.getItem(key) || "null");
      } catch (error) {
        saved = null;
      }
      if (saved && saved.values && Date.now() - saved.at < MAX_AGE) {
        write(form, saved.values);
        if (note) note.hidden = false;
      } else {
        storage.removeItem(key);
      }
    }
    const save = () => {
      try {
        storage.setItem(key, JSON.stringify({ at: Date.now(), values: read(form) }));
      } catch (error) {
        // storage full: nothing more to do
      }
    };
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    const discard = form.querySelector("[data-draft-discard]");
    if (discard) {
      discard.addEventListener("click", () => {
        storage.removeItem(key);
        form.reset();
        if (note) note.hidden = true;
      });
    }
  });
})();
