// QuestPath pages: toasts, achievement unlocks over server-sent events, and small comforts.
// Everything here is an enhancement; each page works without it.
(function () {
  "use strict";

  const TOAST_SECONDS = 12;

  function showToast(title, body, kind) {
    const region = document.getElementById("toasts");
    const template = document.getElementById("toast-template");
    if (!region || !template) return;
    const toast = template.content.firstElementChild.cloneNode(true);
    toast.className = "toast toast-" + (kind || "achievement");
    toast.querySelector(".toast-title").textContent = title;
    toast.querySelector(".toast-body").textContent = body || "";
    region.appendChild(toast);
    tidyToasts();
  }

  // Toasts arrive from the page, from htmx replies and from the event stream; the same unlock
  // can come by two of these ways, so a title already on screen is shown once. Each toast
  // leaves after a while, unless the pointer or focus is on it.
  function tidyToasts() {
    const seen = new Set();
    document.querySelectorAll("#toasts .toast").forEach((toast) => {
      const title = toast.querySelector(".toast-title").textContent.trim();
      if (seen.has(title)) {
        toast.remove();
        return;
      }
      seen.add(title);
      if (toast.dataset.timed) return;
      toast.dataset.timed = "yes";
      const timer = setTimeout(() => toast.remove(), TOAST_SECONDS * 1000);
      toast.addEventListener("mouseenter", () => clearTimeout(timer));
      toast.addEventListener("focusin", () => clearTimeout(timer));
    });
  }

  document.addEventListener("click", (event) => {
    const close = event.target.closest(".toast-close");
    if (close) close.closest(".toast").remove();
  });

  // Achievements unlocked anywhere (another tab, an integration) arrive as they happen.
  function listen(url) {
    if (!url || !window.EventSource) return;
    const source = new EventSource(url);
    source.addEventListener("achievement", (event) => {
      const a = JSON.parse(event.data);
      showToast("Achievement unlocked: " + a.name, a.description + " (+" + a.points + " points)");
      document.dispatchEvent(new CustomEvent("questpath:achievement", { detail: a }));
    });
    // Achievements have their own toast above; the other kinds get one here.
    source.addEventListener("notification", (event) => {
      const n = JSON.parse(event.data);
      if (n.kind !== "achievement.unlocked") showToast(n.title, "", "notification");
    });
    source.addEventListener("unread", (event) => {
      const count = JSON.parse(event.data).unread;
      document.querySelectorAll("[data-unread-count]").forEach((badge) => {
        badge.hidden = count === 0;
        const number = badge.querySelector("[data-unread-number]");
        if (number) number.textContent = String(count);
      });
    });
  }

  // Sign-up: start from the browser's own timezone rather than UTC.
  function defaultTimezone() {
    const input = document.querySelector("input[data-default-timezone]");
    if (!input || input.value !== "UTC") return;
    try {
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone) input.value = zone;
    } catch (error) {
      // Keep UTC.
    }
  }

  document.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    const detail = xhr && xhr.getResponseHeader("content-type", "").startsWith("text/plain")
      ? xhr.responseText : "Please reload the page and try again.";
    showToast("That did not work", detail, "error");
  });
  document.addEventListener("htmx:afterSettle", tidyToasts);
  document.addEventListener("htmx:sendError", () => {
    showToast("QuestPath is not reachable", "Check your connection and try again.", "error");
  });

  document.addEventListener("DOMContentLoaded", () => {
    tidyToasts();
    defaultTimezone();
    listen(document.body.dataset.stream);
  });

  window.QuestPath = { showToast };
})();
