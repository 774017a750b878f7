// newsindex: small progressive enhancements. Every page works without this file.
"use strict";

document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("search-form");

  // Filters apply as soon as they change (without script, the "Apply filters" button does it).
  // The control changed gets the focus back on the new page, so Space on a facet keeps focus.
  const FOCUS_KEY = "newsindex-focus";
  let submit = () => {};
  if (form) {
    submit = (control) => {
      if (control && control.name) {
        sessionStorage.setItem(FOCUS_KEY, JSON.stringify({name: control.name, value: control.value}));
      }
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    };
    for (const el of form.elements) {
      const auto = el.type === "checkbox" || el.tagName === "SELECT" || el.name === "from" || el.name === "to";
      if (auto) el.addEventListener("change", () => submit(el));
    }

    // Shift-click a month bar to extend the date range from the month already chosen.
    const from = document.getElementById("from");
    const to = document.getElementById("to");
    document.querySelectorAll(".chart a.bar").forEach((bar) => {
      bar.addEventListener("click", (event) => {
        if (!event.shiftKey || !from || !to) return;
        const month = bar.dataset.month;
        const start = (from.value || to.value || month).slice(0, 7);
        const end = (to.value || from.value || month).slice(0, 7);
        event.preventDefault();
        from.value = month < start ? month : start;
        to.value = month > end ? month : end;
        submit();
      });
    });
  }

  const remembered = sessionStorage.getItem(FOCUS_KEY);
  if (remembered) {
    sessionStorage.removeItem(FOCUS_KEY);
    const {name, value} = JSON.parse(remembered);
    const bare = String(value).replace(/^-/, "");
    const same = form && [...form.elements].find((el) => el.name === name &&
      (el.type !== "checkbox" || [bare, "-" + bare].includes(el.value)));
    if (same) {
      const details = same.closest("details");
      if (details) details.open = true;
      same.focus();
    }
  }

  // A facet's find box: narrows the values listed at once, and asks the server for every
  // value of the facet that matches (the list shows the first 50); Enter without script opens
  // the facet's all-values page.
  document.querySelectorAll("fieldset.facet").forEach((facet) => {
    const box = facet.querySelector(".facet-filter");
    if (!box) return;
    const more = facet.querySelector("details.more");
    const found = facet.querySelector("[data-facet-found]");
    const finder = box.form;
    const name = facet.dataset.facet;
    let timer = null;
    let asked = 0;
    const listed = () => new Set([...facet.querySelectorAll("ul.values:not(.found) li.value")]
      .map((li) => li.dataset.value));
    const show = (values) => {
      found.replaceChildren();
      const shown = listed();
      values.filter((v) => !shown.has(v.value)).forEach((v, n) => {
        const li = document.createElement("li");
        li.className = "value";
        li.dataset.value = v.value;
        li.dataset.count = v.count;
        const input = document.createElement("input");
        Object.assign(input, {type: "checkbox", id: `found-${name}-${n}`, name, value: v.value,
                              checked: v.selected});
        input.setAttribute("form", "search-form");
        input.addEventListener("change", () => submit(input));
        const label = document.createElement("label");
        label.htmlFor = input.id;
        label.textContent = v.value;
        const count = document.createElement("span");
        count.className = "count";
        count.textContent = v.count.toLocaleString("en");
        li.append(input, label, count);
        found.append(li);
      });
      found.hidden = !found.children.length;
    };
    box.addEventListener("input", () => {
      const needle = box.value.trim().toLowerCase();
      if (more && needle) more.open = true;
      facet.querySelectorAll("ul.values:not(.found) li.value").forEach((li) => {
        const value = (li.dataset.value || "").toLowerCase();
        li.classList.toggle("filtered-out", Boolean(needle) && !value.includes(needle));
      });
      clearTimeout(timer);
      if (!needle) { show([]); return; }
      timer = setTimeout(() => {
        const ask = ++asked;
        const params = new URLSearchParams(new FormData(finder));
        params.set("per_page", "20");
        fetch(`${finder.getAttribute("action")}.json?${params}`, {headers: {Accept: "application/json"}})
          .then((r) => (r.ok ? r.json() : {values: []}))
          .then((data) => { if (ask === asked) show(data.values || []); })
          .catch(() => {});
      }, 200);
    });
  });

  // On a phone the filters start folded (their summary says how many are active), so that
  // the first result is on the first screen.
  const filters = document.querySelector("details.filters");
  if (filters && window.matchMedia("(max-width: 860px)").matches &&
      !(document.activeElement && filters.contains(document.activeElement))) {
    filters.open = false;
  }

  // Highlight every part of the quotation the URL points at (#q3), not only its first span.
  const highlight = () => {
    document.querySelectorAll(".quote.current").forEach((el) => el.classList.remove("current"));
    const id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    document.querySelectorAll(".quote[data-q]").forEach((el) => {
      if (el.dataset.q === id) el.classList.add("current");
    });
  };
  window.addEventListener("hashchange", highlight);
  highlight();
});
