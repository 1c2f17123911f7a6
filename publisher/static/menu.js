// On a phone the site navigation folds behind a "Menu" button, so the header stays small.
// Without this script (or on a wide screen) the button is never shown and the navigation is
// always there; the CSP allows scripts from 'self' only, hence a file and no inline handler.
(() => {
  const button = document.querySelector("header.site .menu-toggle");
  const nav = document.getElementById("site-nav");
  if (!button || !nav) return;
  const setOpen = (open) => {
    button.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
  };
  button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
  nav.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && nav.classList.contains("open")) {
      setOpen(false);
      button.focus();
    }
  });
  document.documentElement.classList.add("has-menu");
})();
