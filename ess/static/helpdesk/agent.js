/*
 * The agent pages: "select all on this page" for the workspace's bulk actions, and single-key
 * shortcuts on the ticket page ("r" reply, "n" note, "s" status, "?" the list). Shortcuts are
 * ignored while typing in a field or with a modifier key held, so they never eat a letter.
 */
(function () {
  "use strict";

  function isTyping(target) {
    if (!target) {
      return false;
    }
    var tag = target.tagName;
    return (
      target.isContentEditable ||
      tag === "INPUT" ||
      tag === "TEXTAREA" ||
      tag === "SELECT"
    );
  }

  function focusField(selector) {
    var field = document.querySelector(selector);
    if (field) {
      field.scrollIntoView({ block: "center" });
      field.focus();
    }
    return Boolean(field);
  }

  var shortcuts = {
    r: "#reply textarea",
    n: "#note textarea",
    s: "#update select[name=status]",
  };

  function showShortcuts() {
    var list = document.querySelector("[data-shortcuts]");
    if (list) {
      list.scrollIntoView({ block: "center" });
      list.setAttribute("tabindex", "-1");
      list.focus();
    }
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (isTyping(event.target)) {
      return;
    }
    if (event.key === "?") {
      event.preventDefault();
      showShortcuts();
      return;
    }
    var selector = shortcuts[event.key];
    if (selector && focusField(selector)) {
      event.preventDefault();
    }
  }

  function initSelectAll() {
    document.querySelectorAll("[data-select-all]").forEach(function (master) {
      var name = master.getAttribute("data-select-all");
      var boxes = function () {
        return document.querySelectorAll('input[type=checkbox][name="' + name + '"]');
      };
      master.addEventListener("change", function () {
        boxes().forEach(function (box) {
          box.checked = master.checked;
        });
      });
      document.addEventListener("change", function (event) {
        if (event.target.name !== name) {
          return;
        }
        var all = Array.prototype.every.call(boxes(), function (box) {
          return box.checked;
        });
        master.checked = all;
      });
    });
  }

  function init() {
    initSelectAll();
    if (document.querySelector("[data-shortcuts]")) {
      document.addEventListener("keydown", onKey);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
