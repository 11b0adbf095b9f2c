/*
 * The kiosk's on-screen keyboard (a classic script, no dependencies).
 *
 * It appears, docked at the bottom of the screen, when a text field (input of a text-like type, or a
 * textarea) gets focus on a kiosk page, and types into that field at its caret. Keys are real buttons; a
 * tap never takes focus from the field (pointerdown and mousedown are cancelled), so the caret and the
 * selection stay where they were. After every change an `input` event bubbles from the field, as a
 * physical keyboard would send, so htmx search-as-you-type and GOV.UK character counts react.
 *
 * Layouts: letters (QWERTY with a digits row and common punctuation), accented letters for the languages
 * the council serves (Welsh, Polish, Romanian, western European), an email layout that puts "@", "." and
 * ".co.uk" up front, and a number pad for telephone and numeric fields. Every word on it comes from the
 * page (<script type="application/json" id="kiosk-keyboard-labels">, rendered with the page's language);
 * without those labels the keyboard is not built.
 *
 * A physical keyboard still works: once someone types on one, the on-screen keyboard keeps out of the way
 * until a field is tapped again.
 */
(function () {
  "use strict";

  var TEXT_TYPES = ["text", "search", "email", "tel", "url", "number", "password"];
  var NUMERIC_MODES = ["numeric", "decimal", "tel"];

  var DIGITS = "1234567890".split("");
  var LETTER_ROWS = [
    "qwertyuiop@".split(""),
    "asdfghjkl'?".split(""),
    "zxcvbnm,.-".split(""),
  ];
  // Email addresses: "@" and "." are on the bottom row (large), "_" and "+" take their places here.
  var EMAIL_LETTER_ROWS = [
    "qwertyuiop_".split(""),
    "asdfghjkl'+".split(""),
    "zxcvbnm,.-".split(""),
  ];
  // Grouped by their base letter, so each is near its neighbours: Welsh, Polish, Romanian and the
  // western European languages residents write in.
  var ACCENT_ROWS = [
    "áàâäãåăąæçć".split(""),
    "éèêëęíìîïłñ".split(""),
    "ńóòôöõøœśșß".split(""),
    "țúùûüŵýÿŷźż".split(""),
  ];
  var EMAIL_HELPERS = ["@", ".", ".co.uk"];
  var NUMBER_ROWS = [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], ["+", "0", " "]];
  // Capitals that String.prototype.toUpperCase would turn into two letters.
  var UPPER = { "ß": "ẞ" };

  var state = {
    labels: null,
    root: null,
    field: null, // the text field being typed into
    layer: "letters", // letters | accents | numbers
    shift: false, // one-shot: the next letter only
    caps: false,
    physical: false, // someone is typing on a real keyboard: keep out of the way
  };

  function readLabels() {
    var element = document.getElementById("kiosk-keyboard-labels");
    if (!element) {
      return null;
    }
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
  }

  function isTextField(element) {
    if (!element || element.disabled || element.readOnly) {
      return false;
    }
    if (element.closest && element.closest("[data-kiosk-keyboard='off']")) {
      return false;
    }
    if (element.tagName === "TEXTAREA") {
      return true;
    }
    if (element.tagName !== "INPUT") {
      return false;
    }
    return TEXT_TYPES.indexOf((element.getAttribute("type") || "text").toLowerCase()) !== -1;
  }

  function wantsNumbers(field) {
    var type = (field.getAttribute("type") || "").toLowerCase();
    var mode = (field.getAttribute("inputmode") || "").toLowerCase();
    return type === "tel" || type === "number" || NUMERIC_MODES.indexOf(mode) !== -1;
  }

  function wantsEmail(field) {
    var type = (field.getAttribute("type") || "").toLowerCase();
    var mode = (field.getAttribute("inputmode") || "").toLowerCase();
    return type === "email" || mode === "email";
  }

  // ---- building the keys ------------------------------------------------------------------------------

  function key(action, text, options) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "app-kiosk-keyboard__key";
    button.setAttribute("data-action", action);
    if (options && options.value !== undefined) {
      button.setAttribute("data-value", options.value);
    }
    if (options && options.label) {
      // The spoken name starts with any letters or digits the key shows ("123 Numbers"), so people who
      // use voice control can say what they see (WCAG 2.5.3 Label in Name); symbols alone are left out.
      var visible = /[\p{L}\p{N}]/u.test(text) && options.label.indexOf(text) < 0 ? text + " " : "";
      button.setAttribute("aria-label", visible + options.label);
    }
    if (options && options.modifier) {
      options.modifier.split(" ").forEach(function (modifier) {
        button.className += " app-kiosk-keyboard__key--" + modifier;
      });
    }
    if (options && options.pressed !== undefined) {
      button.setAttribute("aria-pressed", options.pressed ? "true" : "false");
    }
    if (options && options.glyph) {
      // A symbol beside the word, hidden from screen readers (the word names the key).
      var glyph = document.createElement("span");
      glyph.setAttribute("aria-hidden", "true");
      glyph.textContent = options.glyph + " ";
      button.appendChild(glyph);
    }
    button.appendChild(document.createTextNode(text));
    return button;
  }

  function row(keys, modifier) {
    var element = document.createElement("div");
    element.className = "app-kiosk-keyboard__row" + (modifier ? " app-kiosk-keyboard__row--" + modifier : "");
    keys.forEach(function (button) {
      element.appendChild(button);
    });
    return element;
  }

  function upper(character) {
    return UPPER[character] || character.toUpperCase();
  }

  function characterKeys(characters) {
    var capital = state.shift !== state.caps;
    return characters.map(function (character) {
      var shown = capital ? upper(character) : character;
      return key("type", shown, { value: shown });
    });
  }

  function shiftKey() {
    return key("shift", "⇧", { label: state.labels.shift, modifier: "wide", pressed: state.shift });
  }

  function backspaceKey() {
    return key("backspace", "⌫", { label: state.labels.backspace, modifier: "wide" });
  }

  function enterKey() {
    var newline = state.field && state.field.tagName === "TEXTAREA";
    return key("enter", newline ? state.labels.newline : state.labels.enter, { glyph: "↵", modifier: "action" });
  }

  function hideKey() {
    return key("hide", state.labels.hide, { modifier: "hide" });
  }

  function buildLetters(rows) {
    var built = [row(characterKeys(DIGITS).concat([backspaceKey()]))];
    rows.forEach(function (characters, index) {
      var keys = characterKeys(characters);
      if (index === rows.length - 2) {
        keys.unshift(key("caps", state.labels.caps, { modifier: "wide word", pressed: state.caps }));
      }
      if (index === rows.length - 1) {
        keys.unshift(shiftKey());
      }
      built.push(row(keys));
    });
    var bottom = [
      state.layer === "accents"
        ? key("layer", "abc", { value: "letters", label: state.labels.letters })
        : key("layer", "àé…", { value: "accents", label: state.labels.accents }),
      key("layer", "123", { value: "numbers", label: state.labels.numbers }),
    ];
    if (state.field && wantsEmail(state.field)) {
      EMAIL_HELPERS.forEach(function (text) {
        bottom.push(key("type", text, { value: text, modifier: "prominent" }));
      });
    } else {
      bottom.push(key("type", "_", { value: "_" }), key("type", "/", { value: "/" }));
      bottom.push(key("type", state.labels.space, { value: " ", modifier: "space" }));
    }
    bottom.push(enterKey(), hideKey());
    built.push(row(bottom, "bottom"));
    return built;
  }

  function buildNumbers() {
    var built = NUMBER_ROWS.map(function (characters) {
      return row(
        characters.map(function (character) {
          return character === " "
            ? key("type", state.labels.space, { value: " ", modifier: "word" })
            : key("type", character, { value: character });
        }),
        "numbers"
      );
    });
    built.push(
      row(
        [
          backspaceKey(),
          key("layer", "abc", { value: "letters", label: state.labels.letters }),
          enterKey(),
          hideKey(),
        ],
        "bottom"
      )
    );
    return built;
  }

  function letterRows() {
    if (state.layer === "accents") {
      return ACCENT_ROWS;
    }
    return state.field && wantsEmail(state.field) ? EMAIL_LETTER_ROWS : LETTER_ROWS;
  }

  function render() {
    var root = state.root;
    while (root.firstChild) {
      root.removeChild(root.firstChild);
    }
    var rows =
      state.layer === "numbers"
        ? buildNumbers()
        : buildLetters(letterRows());
    rows.forEach(function (element, rowIndex) {
      Array.prototype.forEach.call(element.children, function (button, keyIndex) {
        button.setAttribute("data-slot", rowIndex + "-" + keyIndex);
      });
      root.appendChild(element);
    });
    root.setAttribute("data-layer", state.layer);
  }

  // ---- typing into the field --------------------------------------------------------------------------

  function selection(field) {
    // Email and number inputs have no selection API: type at the end there.
    var start = null;
    var end = null;
    try {
      start = field.selectionStart;
      end = field.selectionEnd;
    } catch (error) {
      start = null;
    }
    if (start === null || start === undefined) {
      start = end = field.value.length;
    }
    return { start: start, end: end };
  }

  function setCaret(field, position) {
    try {
      field.setSelectionRange(position, position);
    } catch (error) {
      // not supported on this type of input: the caret stays at the end
    }
  }

  function announce(field, inputType, data) {
    var event;
    try {
      event = new InputEvent("input", { bubbles: true, inputType: inputType, data: data });
    } catch (error) {
      event = document.createEvent("Event");
      event.initEvent("input", true, false);
    }
    field.dispatchEvent(event);
  }

  function insert(field, text) {
    var value = field.value;
    var range = selection(field);
    var limit = field.maxLength;
    if (limit >= 0) {
      var room = limit - (value.length - (range.end - range.start));
      if (room <= 0) {
        return false;
      }
      text = text.slice(0, room);
    }
    field.value = value.slice(0, range.start) + text + value.slice(range.end);
    setCaret(field, range.start + text.length);
    announce(field, text === "\n" ? "insertLineBreak" : "insertText", text === "\n" ? null : text);
    return true;
  }

  function deleteBackward(field) {
    var value = field.value;
    var range = selection(field);
    var start = range.start;
    if (range.start === range.end) {
      if (start === 0) {
        return;
      }
      // One character back, keeping a surrogate pair (emoji pasted in, say) whole.
      var code = value.charCodeAt(start - 1);
      start -= code >= 0xdc00 && code <= 0xdfff && start > 1 ? 2 : 1;
    }
    field.value = value.slice(0, start) + value.slice(range.end);
    setCaret(field, start);
    announce(field, "deleteContentBackward", null);
  }

  function defaultButton(form) {
    var elements = Array.prototype.slice.call(form.elements);
    for (var index = 0; index < elements.length; index += 1) {
      var element = elements[index];
      var type = (element.getAttribute("type") || "").toLowerCase();
      var isSubmit =
        (element.tagName === "BUTTON" && (type === "" || type === "submit")) ||
        (element.tagName === "INPUT" && (type === "submit" || type === "image"));
      if (isSubmit) {
        return element.disabled ? false : element;
      }
    }
    return null;
  }

  function submit(field) {
    var form = field.form;
    if (!form) {
      return;
    }
    // As the Enter key of a real keyboard does: the form's first submit button submits it.
    var button = defaultButton(form);
    if (button === false) {
      return;
    }
    hide();
    if (typeof form.requestSubmit === "function") {
      if (button) {
        form.requestSubmit(button);
      } else {
        form.requestSubmit();
      }
    } else if (button) {
      button.click();
    } else {
      form.submit();
    }
  }

  function press(button) {
    var field = state.field;
    if (!field || !document.contains(field) || !isTextField(field)) {
      hide();
      return;
    }
    var action = button.getAttribute("data-action");
    var value = button.getAttribute("data-value");
    var hadFocus = document.activeElement === button;
    var slot = button.getAttribute("data-slot");
    if (action === "type") {
      insert(field, value);
      if (state.shift) {
        state.shift = false;
        render();
      }
    } else if (action === "backspace") {
      deleteBackward(field);
    } else if (action === "enter") {
      if (field.tagName === "TEXTAREA") {
        insert(field, "\n");
      } else {
        submit(field);
      }
      return;
    } else if (action === "shift") {
      state.shift = !state.shift;
      render();
    } else if (action === "caps") {
      state.caps = !state.caps;
      state.shift = false;
      render();
    } else if (action === "layer") {
      state.layer = value;
      render();
      reveal(field);
    } else if (action === "hide") {
      hide();
      return;
    }
    if (hadFocus && !state.root.contains(button)) {
      keepPlace(slot);
    }
  }

  function keepPlace(slot) {
    // Someone using the keys with a switch, a keyboard or a screen reader (focus on the key, not the
    // field) keeps their place when a layer is redrawn: the key in the same position takes focus.
    var parts = slot.split("-");
    var rows = state.root.querySelectorAll(".app-kiosk-keyboard__row");
    var rowElement = rows[Math.min(Number(parts[0]), rows.length - 1)];
    if (!rowElement) {
      return;
    }
    var keys = rowElement.querySelectorAll(".app-kiosk-keyboard__key");
    var target = keys[Math.min(Number(parts[1]), keys.length - 1)];
    if (target) {
      target.focus();
    }
  }

  // ---- showing and hiding -----------------------------------------------------------------------------

  function keyboardHeight() {
    return state.root.hidden ? 0 : state.root.getBoundingClientRect().height;
  }

  function reveal(field) {
    // Keep the field (with its label and hint when they fit) clear of the keyboard.
    var height = keyboardHeight();
    document.documentElement.style.setProperty("--app-kiosk-keyboard-height", height + "px");
    var visible = window.innerHeight - height;
    var margin = 16;
    var group = field.closest(".govuk-form-group") || field;
    var box = group.getBoundingClientRect();
    if (box.height > visible - 2 * margin) {
      box = field.getBoundingClientRect();
    }
    var delta = 0;
    if (box.bottom > visible - margin) {
      delta = box.bottom - (visible - margin);
    }
    if (box.top - delta < margin) {
      delta = box.top - margin;
    }
    if (delta !== 0) {
      window.scrollBy(0, delta);
    }
  }

  function show(field) {
    var changed = state.field !== field;
    state.field = field;
    if (changed || state.root.hidden) {
      state.layer = wantsNumbers(field) ? "numbers" : "letters";
      state.shift = false;
    }
    render();
    state.root.hidden = false;
    document.body.classList.add("app-kiosk-keyboard-open");
    reveal(field);
  }

  function hide() {
    if (!state.root || state.root.hidden) {
      return;
    }
    state.root.hidden = true;
    state.shift = false;
    document.body.classList.remove("app-kiosk-keyboard-open");
    document.documentElement.style.removeProperty("--app-kiosk-keyboard-height");
  }

  // ---- wiring -----------------------------------------------------------------------------------------

  function onFocusIn(event) {
    var target = event.target;
    if (state.root.contains(target)) {
      return;
    }
    if (isTextField(target)) {
      if (!state.physical) {
        show(target);
      } else {
        state.field = target;
      }
    } else {
      hide();
    }
  }

  function onFocusOut(event) {
    // Leaving the page's fields for nothing (a tap on empty space) puts the keyboard away, unless the
    // focus went to the keyboard itself.
    var next = event.relatedTarget;
    if (next && (state.root.contains(next) || isTextField(next))) {
      return;
    }
    window.setTimeout(function () {
      var active = document.activeElement;
      if (!active || active === document.body || (!isTextField(active) && !state.root.contains(active))) {
        hide();
      }
    }, 0);
  }

  function onFieldPointerDown(event) {
    // Tapping a field brings the keyboard back after "Hide keyboard" or after typing on a real one.
    var target = event.target;
    if (state.root.contains(target) || !isTextField(target)) {
      return;
    }
    if (event.pointerType === "mouse" && state.physical) {
      return;
    }
    state.physical = false;
    if (document.activeElement === target) {
      show(target);
    }
  }

  function onKeyDown(event) {
    if (!event.isTrusted || !isTextField(event.target)) {
      return;
    }
    if (event.key === "Escape" && !state.root.hidden) {
      hide();
      return;
    }
    var typing = event.key && event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey;
    if (typing) {
      state.physical = true;
      hide();
    }
  }

  function keepFocus(event) {
    // The field keeps focus (and its caret) while keys, or the gaps between them, are tapped.
    event.preventDefault();
  }

  function onClick(event) {
    var button = event.target.closest && event.target.closest(".app-kiosk-keyboard__key");
    if (button && state.root.contains(button)) {
      press(button);
    }
  }

  function start() {
    if (!document.body || !document.body.classList.contains("app-kiosk")) {
      return;
    }
    state.labels = readLabels();
    if (!state.labels) {
      return;
    }
    var root = document.createElement("div");
    root.className = "app-kiosk-keyboard";
    root.id = "app-kiosk-keyboard";
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", state.labels.keyboard);
    root.setAttribute("dir", "ltr");
    root.setAttribute("translate", "no");
    root.hidden = true;
    document.body.appendChild(root);
    state.root = root;

    root.addEventListener("pointerdown", keepFocus);
    root.addEventListener("mousedown", keepFocus);
    root.addEventListener("click", onClick);
    document.addEventListener("focusin", onFocusIn);
    document.addEventListener("focusout", onFocusOut);
    document.addEventListener("pointerdown", onFieldPointerDown);
    document.addEventListener("keydown", onKeyDown, true);
    // htmx may swap the focused field out of the page; a keyboard typing into nothing is put away.
    document.addEventListener("htmx:afterSettle", function () {
      if (state.field && !document.contains(state.field)) {
        state.field = null;
        hide();
      }
    });

    if (isTextField(document.activeElement)) {
      show(document.activeElement);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
