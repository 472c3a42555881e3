/*
 * faqbot help widget: one <script> tag, no build step, no dependencies.
 *
 *   <script src="https://HOST/widget.js" data-faqbot-endpoint="https://HOST/api/v1/chat" defer></script>
 *
 * Optional attributes: data-faqbot-title, data-faqbot-position (right | left),
 * data-faqbot-language (ja | en), data-faqbot-open (true: open on load).
 *
 * Everything lives in a shadow root, so page styles and widget styles cannot
 * reach each other.  Every string from the customer or the server is put into
 * the page with textContent / DOM building, never innerHTML.  The server keeps
 * no conversation: the signed state it returns is sent back with the next
 * message and kept, with the visible history, in sessionStorage.
 *
 * Answers get 👍/👎 buttons; a click is sent once to the feedback endpoint next
 * to the chat endpoint (…/api/v1/feedback) for the maintainers' report.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__faqbotWidgetLoaded) return;
  window.__faqbotWidgetLoaded = true;

  var STRINGS = {
    ja: {
      title: "サポートチャット",
      launcher: "チャットで質問する",
      close: "チャットを閉じる",
      clear: "会話を消去",
      cleared: "会話を消去しました。",
      input: "質問を入力",
      placeholder: "ご質問を入力してください",
      send: "送信",
      messages: "会話",
      choices: "選択肢",
      links: "参考ページ",
      you: "あなた",
      bot: "faqbot",
      typing: "回答を作成しています…",
      welcome: "こんにちは。あんしん自動更新についてご質問ください。次回の請求日の目安もお調べできます。",
      error: "送信できませんでした。時間をおいてもう一度お試しください。",
      reset: "会話の有効期限が切れたため、新しい会話として送信しました。",
      newTab: "（新しいタブで開きます）",
      feedback: "この回答は役に立ちましたか",
      helpful: "役に立った",
      unhelpful: "役に立たなかった",
      thanks: "ご意見ありがとうございます"
    },
    en: {
      title: "Support chat",
      launcher: "Ask a question in chat",
      close: "Close chat",
      clear: "Clear conversation",
      cleared: "Conversation cleared.",
      input: "Type your question",
      placeholder: "Type your question",
      send: "Send",
      messages: "Conversation",
      choices: "Choices",
      links: "Related pages",
      you: "You",
      bot: "faqbot",
      typing: "Writing a reply…",
      welcome: "Hello. Ask about automatic renewal (answers are in Japanese).",
      error: "Could not send. Please try again in a moment.",
      reset: "The conversation had expired, so this was sent as a new conversation.",
      newTab: "(opens in a new tab)",
      feedback: "Was this answer helpful?",
      helpful: "Helpful",
      unhelpful: "Not helpful",
      thanks: "Thank you for your feedback"
    }
  };
  var MAX_CHARS = 500;
  var MAX_HISTORY = 100;
  var STATE_ERRORS = { invalid_state: true, state_expired: true };
  // Reply kinds that are answers worth rating (not questions back, forms or fallbacks).
  var RATED_KINDS = { answer: true, billing: true };

  function attr(name) {
    var value = script.getAttribute("data-faqbot-" + name);
    return value === null ? "" : value.trim();
  }

  var endpoint = new URL(attr("endpoint") || "/api/v1/chat", document.baseURI).href;
  var feedbackEndpoint = new URL("feedback", endpoint).href; // …/api/v1/chat → …/api/v1/feedback
  var language = attr("language") === "en" ? "en" : "ja";
  var T = STRINGS[language];
  var settings = {
    title: attr("title") || T.title,
    position: attr("position") === "left" ? "left" : "right",
    openOnLoad: attr("open") === "true"
  };
  var storageKey = "faqbot:v1:" + endpoint;

  // ---- storage: history and signed state survive a reload of the tab ----
  var store = { messages: [], state: null, open: false };

  function loadStore() {
    try {
      var raw = window.sessionStorage.getItem(storageKey);
      var data = raw ? JSON.parse(raw) : null;
      if (data && Array.isArray(data.messages)) {
        store.messages = data.messages.filter(function (m) {
          return m && (m.role === "user" || m.role === "bot" || m.role === "note") && typeof m.text === "string";
        });
        store.state = typeof data.state === "string" ? data.state : null;
        store.open = data.open === true;
      }
    } catch (e) { /* storage blocked or corrupt: start fresh */ }
  }

  function saveStore() {
    try {
      store.messages = store.messages.slice(-MAX_HISTORY);
      window.sessionStorage.setItem(storageKey, JSON.stringify(store));
    } catch (e) { /* storage full or blocked: the conversation still works */ }
  }

  // ---- DOM helpers: elements built from data, text only via textContent ----
  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      var value = props[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function safeUrl(url) {
    if (typeof url !== "string" || !url) return null;
    try {
      var parsed = new URL(url, document.baseURI);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  // ---- the widget ----
  var host = el("faqbot-widget", {});
  host.style.setProperty("visibility", "hidden"); // until widget.css has loaded: no unstyled flash
  var root = host.attachShadow({ mode: "open" });

  var sheet = el("link", { rel: "stylesheet", href: new URL("widget.css", script.src).href });
  sheet.addEventListener("load", function () { host.style.removeProperty("visibility"); });
  sheet.addEventListener("error", function () { host.style.removeProperty("visibility"); });

  var launcher = el("button", {
    type: "button", className: "launcher", "aria-expanded": "false", "aria-controls": "faqbot-panel",
    "aria-label": T.launcher, title: T.launcher
  }, [el("span", { className: "launcher-icon", "aria-hidden": "true", text: "?" }),
      el("span", { className: "launcher-text", text: settings.title })]);

  var title = el("h2", { id: "faqbot-title", className: "title", text: settings.title });
  var clearButton = el("button", { type: "button", className: "icon-button clear", "aria-label": T.clear, title: T.clear },
    [el("span", { "aria-hidden": "true", text: "⟲" })]);
  var closeButton = el("button", { type: "button", className: "icon-button close", "aria-label": T.close, title: T.close },
    [el("span", { "aria-hidden": "true", text: "×" })]);
  var list = el("ol", { className: "messages", "aria-label": T.messages, tabindex: "0" });
  var live = el("div", { className: "sr-only", role: "status", "aria-live": "polite", "aria-atomic": "true" });
  var input = el("textarea", {
    id: "faqbot-input", className: "input", rows: "1", maxlength: String(MAX_CHARS),
    placeholder: T.placeholder, autocomplete: "off", enterkeyhint: "send"
  });
  var sendButton = el("button", { type: "submit", className: "send", "aria-label": T.send }, [el("span", { text: T.send })]);
  var form = el("form", { className: "composer" }, [
    el("label", { "for": "faqbot-input", className: "sr-only", text: T.input }), input, sendButton
  ]);
  var panel = el("section", {
    id: "faqbot-panel", className: "panel", role: "dialog", "aria-modal": "false",
    "aria-labelledby": "faqbot-title", lang: language, hidden: true
  }, [el("header", { className: "header" }, [title, clearButton, closeButton]), list, live, form]);
  var frame = el("div", { className: "frame position-" + settings.position, lang: language }, [launcher, panel]);
  root.appendChild(sheet);
  root.appendChild(frame);

  var busy = false;
  var typingItem = null;

  function renderMessage(message, isLast) {
    var item = el("li", { className: "message " + message.role });
    var speaker = message.role === "user" ? T.you : T.bot;
    item.appendChild(el("span", { className: "sr-only", text: speaker + ": " }));
    var bubble = el("div", { className: "bubble", lang: message.role === "bot" ? "ja" : null });
    bubble.appendChild(el("p", { className: "text", text: message.text }));
    if (Array.isArray(message.facts) && message.facts.length) {
      var facts = el("dl", { className: "facts" });
      message.facts.forEach(function (f) {
        facts.appendChild(el("dt", { text: String(f.label) }));
        facts.appendChild(el("dd", { text: String(f.value) }));
      });
      bubble.appendChild(facts);
    }
    if (Array.isArray(message.links) && message.links.length) {
      var links = el("ul", { className: "links", "aria-label": T.links });
      message.links.forEach(function (link) {
        var url = safeUrl(link.url);
        var label = String(link.title);
        links.appendChild(el("li", {}, [url
          ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer", "aria-label": label + " " + T.newTab, text: label })
          : el("span", { className: "page-title", text: label })]));
      });
      bubble.appendChild(links);
    }
    item.appendChild(bubble);
    if (message.role === "bot" && rated(message)) item.appendChild(renderFeedback(message));
    // Quick replies belong to the latest reply only: older ones no longer match the state.
    if (isLast && Array.isArray(message.choices) && message.choices.length) {
      var group = el("div", { className: "choices", role: "group", "aria-label": T.choices });
      message.choices.forEach(function (choice) {
        var button = el("button", { type: "button", className: "choice", text: String(choice.label) });
        button.addEventListener("click", function () { send(String(choice.value), String(choice.label)); });
        group.appendChild(button);
      });
      item.appendChild(group);
    }
    return item;
  }

  function rated(message) {
    return typeof message.intent === "string" && message.intent !== "" && message.intent !== "fallback" &&
      RATED_KINDS[message.kind] === true;
  }

  function renderFeedback(message) {
    var box = el("div", { className: "feedback", role: "group", "aria-label": T.feedback });
    var thanks = el("span", { className: "thanks", tabindex: "-1", text: T.thanks, hidden: !message.feedback });
    [["up", "👍", T.helpful], ["down", "👎", T.unhelpful]].forEach(function (spec) {
      var button = el("button", {
        type: "button", className: "rate " + spec[0], "aria-label": spec[2], title: spec[2],
        "aria-pressed": message.feedback === spec[0] ? "true" : "false", disabled: !!message.feedback
      }, [el("span", { "aria-hidden": "true", text: spec[1] })]);
      button.addEventListener("click", function () {
        if (message.feedback) return; // one vote per answer
        message.feedback = spec[0];
        saveStore();
        box.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        button.setAttribute("aria-pressed", "true");
        thanks.hidden = false;
        thanks.focus(); // the pressed button is now disabled: keep focus in the conversation
        announce(T.thanks);
        sendFeedback(message, spec[0] === "up");
      });
      box.appendChild(button);
    });
    box.appendChild(thanks);
    return box;
  }

  function sendFeedback(message, helpful) {
    var body = { intent: message.intent, helpful: helpful, turn: message.turn || "" };
    if (typeof message.query === "string" && message.query) body.message = message.query.slice(0, MAX_CHARS);
    // Best effort: a lost vote must not bother the customer.
    fetch(feedbackEndpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit"
    }).catch(function () {});
  }

  function renderAll() {
    list.textContent = "";
    list.appendChild(renderMessage({ role: "bot", text: T.welcome }, false)); // not stored: always first
    store.messages.forEach(function (m, i) {
      list.appendChild(renderMessage(m, i === store.messages.length - 1));
    });
    if (typingItem) list.appendChild(typingItem);
    list.scrollTop = list.scrollHeight;
  }

  function addMessage(message) {
    store.messages.push(message);
    saveStore();
    renderAll();
  }

  function announce(text) {
    // Clear first so the same sentence twice is still announced.
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function setTyping(on) {
    if (on && !typingItem) {
      typingItem = el("li", { className: "message bot typing", "aria-hidden": "true" }, [
        el("div", { className: "bubble" }, [el("span", { className: "dot" }), el("span", { className: "dot" }), el("span", { className: "dot" })])
      ]);
      list.appendChild(typingItem);
      list.scrollTop = list.scrollHeight;
      list.setAttribute("aria-busy", "true");
      announce(T.typing);
    } else if (!on && typingItem) {
      typingItem.remove();
      typingItem = null;
      list.removeAttribute("aria-busy");
    }
  }

  function post(message, state) {
    var body = { message: message };
    if (state) body.state = state;
    return fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, data: data };
      });
    });
  }

  // The server never repeats a card number; the customer's own bubble, kept in
  // sessionStorage, must not keep one either.  13–19 digits (spaces, hyphens,
  // full-width) are masked for display and storage; the server still gets the
  // message as typed, so it can warn the customer.
  function maskCardNumbers(text) {
    return text.normalize("NFKC").replace(/\d(?:[ \-]?\d){12,18}/g, "[カード番号]");
  }

  function send(message, shown) {
    message = (message || "").trim();
    if (!message || busy) return;
    busy = true;
    sendButton.disabled = true;
    addMessage({ role: "user", text: maskCardNumbers(shown || message) });
    setTyping(true);
    var reset = false;
    post(message, store.state).then(function (result) {
      var code = result.data && result.data.error && result.data.error.code;
      if (!result.ok && STATE_ERRORS[code] && store.state) {
        // The state expired or the server's knowledge changed: continue as a new conversation.
        store.state = null;
        reset = true;
        return post(message, null);
      }
      return result;
    }).then(function (result) {
      setTyping(false);
      var reply = result.ok && result.data && result.data.reply;
      if (!reply || typeof reply.text !== "string") throw new Error("bad reply");
      store.state = typeof result.data.state === "string" ? result.data.state : null;
      if (reset) store.messages.push({ role: "note", text: T.reset });
      addMessage({
        role: "bot",
        text: reply.text,
        kind: String(reply.kind || ""),
        intent: typeof reply.intent === "string" ? reply.intent : "",
        turn: typeof result.data.turn === "string" ? result.data.turn : "", // names this reply in a 👍/👎
        query: maskCardNumbers(message),
        choices: Array.isArray(reply.choices) ? reply.choices : [],
        links: Array.isArray(reply.links) ? reply.links : [],
        facts: Array.isArray(reply.facts) ? reply.facts : []
      });
      announce(T.bot + ": " + reply.text);
    }).catch(function () {
      setTyping(false);
      addMessage({ role: "note", text: T.error });
      announce(T.error);
    }).then(function () {
      busy = false;
      sendButton.disabled = false;
    });
  }

  function setOpen(open, moveFocus) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    frame.classList.toggle("open", open);
    store.open = open;
    saveStore();
    if (open) {
      renderAll();
      if (moveFocus) input.focus();
    } else if (moveFocus) {
      launcher.focus();
    }
  }

  function clearConversation() {
    store.messages = [];
    store.state = null;
    saveStore();
    renderAll();
    announce(T.cleared);
    input.focus();
  }

  function fitInput() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 120) + "px";
  }

  launcher.addEventListener("click", function () { setOpen(panel.hidden, true); });
  closeButton.addEventListener("click", function () { setOpen(false, true); });
  clearButton.addEventListener("click", clearConversation);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      setOpen(false, true);
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim() || busy) return;
    input.value = "";
    fitInput();
    send(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.shiftKey) return;
    // Enter that confirms a Japanese IME conversion must not send (keyCode 229: Safari, older Chrome).
    if (event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
  });
  input.addEventListener("input", fitInput);

  // Phones: keep the panel above the on-screen keyboard (the visual viewport shrinks).
  if (window.visualViewport) {
    var fit = function () {
      frame.style.setProperty("--faqbot-viewport-height", window.visualViewport.height + "px");
      frame.style.setProperty("--faqbot-viewport-top", window.visualViewport.offsetTop + "px");
    };
    window.visualViewport.addEventListener("resize", fit);
    window.visualViewport.addEventListener("scroll", fit);
    fit();
  }

  function mount() {
    loadStore();
    document.body.appendChild(host);
    renderAll();
    if (store.open || settings.openOnLoad) setOpen(true, false);
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
