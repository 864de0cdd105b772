/*
 * Autocomplete for the search boxes: the WAI-ARIA 1.2 combobox pattern with a listbox popup.
 *
 * Markup (server-rendered): a wrapper [data-combobox] holding an <input role="combobox"
 * aria-controls="<listbox id>" data-suggest-url="...">, the <ul role="listbox"> and a
 * polite status element [data-combobox-status]. The suggestion endpoint answers with a
 * <ul data-status="..."> of <li role="option" data-href="...">; the text is escaped by the
 * server, and every data-href is a same-site path to the search "open" view.
 *
 * Keys: ArrowDown/ArrowUp move through the options, Enter opens the active one (or submits
 * the search when none is active), Escape closes the list. With the list closed, ArrowDown
 * moves to the first result on the search page (input[data-results]).
 */
(function () {
  "use strict";

  var MIN_LENGTH = 2;
  var DEBOUNCE_MS = 200;

  function setup(wrapper) {
    var input = wrapper.querySelector('[role="combobox"]');
    var listbox = document.getElementById(input.getAttribute("aria-controls"));
    var status = wrapper.querySelector("[data-combobox-status]");
    var timer = null;
    var active = -1;
    var lastAsked = null;
    var request = null;

    function options() {
      return Array.prototype.slice.call(listbox.querySelectorAll('[role="option"]'));
    }

    function isOpen() {
      return !listbox.hidden;
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      setActive(-1);
    }

    function open() {
      if (options().length) {
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function setActive(index) {
      var all = options();
      active = index;
      all.forEach(function (option, i) {
        var on = i === index;
        option.setAttribute("aria-selected", on ? "true" : "false");
        option.classList.toggle("active", on);
        if (on) {
          input.setAttribute("aria-activedescendant", option.id);
          option.scrollIntoView({ block: "nearest" });
        }
      });
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(option) {
      var href = option && option.getAttribute("data-href");
      // Only same-site paths: the server sends nothing else, and this keeps it so.
      if (href && href.charAt(0) === "/" && href.charAt(1) !== "/") {
        window.location.assign(href);
      }
    }

    function show(html) {
      var holder = document.createElement("template");
      holder.innerHTML = html;
      var list = holder.content.querySelector("ul");
      listbox.replaceChildren();
      if (list) {
        Array.prototype.slice.call(list.children).forEach(function (option, i) {
          option.id = listbox.id + "-option-" + i;
          listbox.appendChild(option);
        });
      }
      status.textContent = list ? list.getAttribute("data-status") || "" : "";
      setActive(-1);
      if (options().length && document.activeElement === input) {
        open();
      } else {
        close();
      }
    }

    function ask() {
      var value = input.value.trim();
      if (value.length < MIN_LENGTH) {
        lastAsked = null;
        show("");
        return;
      }
      if (value === lastAsked) {
        open();
        return;
      }
      lastAsked = value;
      if (request) {
        request.abort();
      }
      request = new AbortController();
      var url = input.getAttribute("data-suggest-url") + "?q=" + encodeURIComponent(value);
      fetch(url, { signal: request.signal, credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          return response.ok ? response.text() : "";
        })
        .then(function (html) {
          if (input.value.trim() === value) {
            show(html);
          }
        })
        .catch(function () {
          /* Aborted by a newer request, or offline: the search itself still works. */
        });
    }

    function firstResult() {
      var selector = input.getAttribute("data-results");
      var container = selector && document.querySelector(selector);
      return container && container.querySelector("[data-result-link]");
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      var all = options();
      switch (event.key) {
        case "ArrowDown":
          if (isOpen() && all.length) {
            event.preventDefault();
            setActive(active + 1 < all.length ? active + 1 : 0);
          } else if (event.altKey && all.length) {
            event.preventDefault();
            open();
          } else if (firstResult()) {
            event.preventDefault();
            firstResult().focus();
          } else if (all.length) {
            event.preventDefault();
            open();
            setActive(0);
          }
          break;
        case "ArrowUp":
          if (isOpen() && all.length) {
            event.preventDefault();
            setActive(active > 0 ? active - 1 : all.length - 1);
          }
          break;
        case "Enter":
          if (isOpen() && active >= 0) {
            event.preventDefault();
            choose(all[active]);
          } else {
            close();
          }
          break;
        case "Escape":
          if (isOpen()) {
            event.preventDefault();
            close();
          }
          break;
        default:
          break;
      }
    });

    input.addEventListener("blur", function () {
      // Let a click on an option land before the list disappears.
      window.setTimeout(close, 150);
    });

    listbox.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep the focus in the input
    });

    listbox.addEventListener("click", function (event) {
      var option = event.target.closest('[role="option"]');
      if (option) {
        choose(option);
      }
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-combobox]"), function (wrapper) {
      if (!wrapper.hasAttribute("data-combobox-ready")) {
        wrapper.setAttribute("data-combobox-ready", "");
        setup(wrapper);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
