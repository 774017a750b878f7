// newsindex: small progressive enhancements. Every page works without this file.
"use strict";

document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("search-form");

  // Filters apply as soon as they change (without script, the "Apply filters" button does it).
  if (form) {
    const submit = () => (form.requestSubmit ? form.requestSubmit() : form.submit());
    for (const el of form.elements) {
      const auto = el.type === "checkbox" || el.tagName === "SELECT" || el.name === "from" || el.name === "to";
      if (auto) el.addEventListener("change", submit);
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

  // A filter box inside long facets: narrows the list, opening "show more" when needed.
  document.querySelectorAll("fieldset.facet").forEach((facet) => {
    const box = facet.querySelector(".facet-filter");
    if (!box) return;
    box.hidden = false;
    const more = facet.querySelector("details.more");
    box.addEventListener("input", () => {
      const needle = box.value.trim().toLowerCase();
      if (more && needle) more.open = true;
      facet.querySelectorAll("li.value").forEach((li) => {
        const name = (li.dataset.value || "").toLowerCase();
        li.classList.toggle("filtered-out", Boolean(needle) && !name.includes(needle));
      });
    });
  });

  // On a phone, start with the filters folded unless some are in use.
  const filters = document.querySelector("details.filters");
  if (filters && window.matchMedia("(max-width: 860px)").matches &&
      !document.querySelector(".facet.active")) {
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
