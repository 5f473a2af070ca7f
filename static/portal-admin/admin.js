// Django admin, held to WCAG 2.2 too, where its own markup falls short. Loaded by
// nhsportal/templates/admin/base_site.html (deferred, after the form's own scripts): runs after
// their jQuery "ready" handlers, which start select2, or once the page has loaded without jQuery.
function fix() {
  // A searchable choice (autocomplete_fields, select2): the combobox is named by its label,
  // not only by the (empty, before a choice) text of what is chosen.
  for (const box of document.querySelectorAll(".select2-selection[role=combobox]")) {
    const select = box.closest(".select2-container")?.previousElementSibling;
    const label = select && select.id && document.querySelector(`label[for="${select.id}"]`);
    if (!label) continue;
    const name = label.textContent.replace(/:\s*$/, "").trim();
    box.setAttribute("aria-label", name);
    // The choice shown inside it is a read-only textbox of its own: named by the label too.
    box.querySelector(".select2-selection__rendered[role=textbox]")?.setAttribute("aria-label", name);
  }
  // A tabular inline's first column (the saved row's name) has an empty header.
  for (const header of document.querySelectorAll("thead th.original")) {
    if (!header.textContent.trim()) {
      header.insertAdjacentHTML("beforeend", '<span class="portal-visually-hidden">Saved record</span>');
    }
  }
}

if (window.django && window.django.jQuery) {
  window.django.jQuery(fix);
} else {
  window.addEventListener("load", fix);
}
