/*
 * faqbot help widget: one <script> tag, no build step, no dependencies.
 *
 *   <script src="https://HOST/widget.js" data-faqbot-endpoint="https://HOST" defer></script>
 *
 * data-faqbot-endpoint is the faqbot server's base URL (default: where widget.js
 * came from); the widget calls api/v1/chat, …/feedback, …/handoff and reads
 * widget-config.json under it.  An older snippet that named …/api/v1/chat still works.
 * Optional attributes: data-faqbot-title, data-faqbot-position (right | left),
 * data-faqbot-language (ja | en; also sent to the chat as `lang`),
 * data-faqbot-open (true: open on load), data-faqbot-timeout (seconds, default 15).
 * Any element of the page with data-faqbot-ask="question" opens the chat and asks it.
 *
 * Everything lives in a shadow root, so page styles and widget styles cannot
 * reach each other.  Every string from the customer or the server is put into
 * the page with textContent / DOM building, never innerHTML.  The server keeps
 * no conversation: the signed state it returns is sent back with the next
 * message and kept, with the visible history, in sessionStorage.
 *
 * Answers get 👍/👎 buttons; a click is sent once to the feedback endpoint.
 * "Talk to a person" (in the menu, and under any reply that offers it) shows the
 * desk's contact points from the server and, when the server has a handoff
 * webhook, sends the conversation there (the server masks personal data).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__faqbotWidgetLoaded) return;
  window.__faqbotWidgetLoaded = true;

  // The widget's own labels.  Names (service, company, desk) and contact points come
  // from the server's knowledge base (GET widget-config.json): {service}, {company}, {desk}.
  var STRINGS = {
    ja: {
      title: "サポートチャット",
      titleFor: "{service} サポート",
      launcher: "チャットで質問する",
      close: "チャットを閉じる",
      menu: "メニュー",
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
      welcome: "こんにちは。ご質問をどうぞ。",
      welcomeFor: "こんにちは。{service}についてご質問ください。",
      welcomeBilling: "こんにちは。{service}についてご質問ください。次回の請求日の目安もお調べできます。",
      failed: "送信できませんでした。",
      timedOut: "応答がありませんでした。",
      retry: "もう一度送る",
      busy: "前の質問への回答を待っています。届いてからもう一度送信してください。",
      reset: "会話の有効期限が切れたため、新しい会話として送信しました。",
      newTab: "（新しいタブで開きます）",
      feedback: "この回答は役に立ちましたか",
      helpful: "役に立った",
      unhelpful: "役に立たなかった",
      thanks: "ご意見ありがとうございます",
      handoff: "担当者に相談する",
      desk: "サポート窓口",
      phone: "電話",
      hours: "受付時間",
      form: "お問い合わせフォーム",
      page: "サポートページ",
      noContact: "{desk}の電話番号や受付時間は、このチャットではご案内できません。{company}のサポートページで{desk}の案内をご確認ください。",
      offer: "この会話の内容を担当者に送ることもできます（カード番号・メールアドレス・電話番号は伏せて送ります）。",
      handoffSend: "この会話を担当者に送る",
      handoffSending: "担当者に送っています…",
      handoffDelivered: "担当者に会話の内容を送りました（受付番号 {ref}）。{desk}へお問い合わせの際は、この受付番号をお伝えください。",
      handoffQueued: "担当者への送信はまだ完了していません。内容は保存され、自動で送り直されます（受付番号 {ref}）。お急ぎの場合は{desk}へ直接お問い合わせください。",
      handoffFailed: "担当者に送れませんでした。{desk}へ直接お問い合わせください。"
    },
    en: {
      title: "Support chat",
      titleFor: "{service} support",
      launcher: "Ask a question in chat",
      close: "Close chat",
      menu: "Menu",
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
      welcome: "Hello. Ask your question.",
      welcomeFor: "Hello. Ask about {service}.",
      welcomeBilling: "Hello. Ask about {service}; I can also estimate your next billing date.",
      failed: "Could not send.",
      timedOut: "No answer came.",
      retry: "Send again",
      busy: "Still waiting for the previous answer. Send again once it has arrived.",
      reset: "The conversation had expired, so this was sent as a new conversation.",
      newTab: "(opens in a new tab)",
      feedback: "Was this answer helpful?",
      helpful: "Helpful",
      unhelpful: "Not helpful",
      thanks: "Thank you for your feedback",
      handoff: "Talk to a person",
      desk: "the support desk",
      phone: "Phone",
      hours: "Hours",
      form: "Contact form",
      page: "Support page",
      noContact: "This chat cannot give the phone number or hours of {desk}. Please see {company}'s support pages for {desk}.",
      offer: "You can also send this conversation to a person (card numbers, e-mail addresses and phone numbers are hidden).",
      handoffSend: "Send this conversation to a person",
      handoffSending: "Sending to a person…",
      handoffDelivered: "The conversation was sent to a person (reference {ref}). Quote this reference when you contact {desk}.",
      handoffQueued: "It has not reached a person yet; it is kept and will be sent again automatically (reference {ref}). If it is urgent, contact {desk} directly.",
      handoffFailed: "It could not be sent to a person. Please contact {desk} directly."
    }
  };
  var MAX_CHARS = 500;
  var MAX_HISTORY = 100;
  var MAX_TRANSCRIPT = 60; // lines handed over: the latest ones
  var STATE_ERRORS = { invalid_state: true, state_expired: true };
  // Reply kinds that are answers worth rating (not questions back, forms or fallbacks).
  var RATED_KINDS = { answer: true, billing: true };
  var HANDOFF_REASONS = { asked: true, complaint: true, refund: true, misses: true, referral: true };
  var JAPANESE = /[\u3040-\u30ff\u3400-\u9fff]/;
  // An http(s) URL in reply text: ASCII URL characters only, so Japanese right after it
  // (「https://city.example/sodaiから」) is not part of it; ' ( ) and trailing . , ; : ! ? are left out too.
  var URL_IN_TEXT = /https?:\/\/[A-Za-z0-9\-._~:\/?#\[\]@!$&*+,;=%]+/g;
  var URL_TRAILING = /[.,;:!?]+$/;

  function attr(name) {
    var value = script.getAttribute("data-faqbot-" + name);
    return value === null ? "" : value.trim();
  }

  // The server's base URL: data-faqbot-endpoint, else where widget.js came from.
  function serverBase() {
    var base = new URL(attr("endpoint") || ".", attr("endpoint") ? document.baseURI : script.src);
    var path = base.pathname.replace(/api\/v1\/chat\/?$/, ""); // older snippets named the chat endpoint
    base.pathname = /\/$/.test(path) ? path : path + "/";
    base.search = "";
    base.hash = "";
    return base.href;
  }

  var api = new URL("api/v1/", serverBase()).href;
  var endpoint = api + "chat";
  var feedbackEndpoint = api + "feedback";
  var handoffEndpoint = api + "handoff";
  var configEndpoint = new URL("widget-config.json", serverBase()).href;
  var languageSetting = attr("language") === "en" || attr("language") === "ja" ? attr("language") : "";
  var language = languageSetting || "ja";
  var T = STRINGS[language];
  var timeoutSeconds = parseFloat(attr("timeout"));
  var settings = {
    title: attr("title"),
    position: attr("position") === "left" ? "left" : "right",
    openOnLoad: attr("open") === "true",
    timeout: (timeoutSeconds > 0 ? timeoutSeconds : 15) * 1000
  };
  var storageKey = "faqbot:v1:" + endpoint;
  var server = null; // widget-config.json, once it has answered

  // ---- storage: history and signed state survive a reload of the tab ----
  var store = { messages: [], state: null, open: false };

  function loadStore() {
    try {
      var raw = window.sessionStorage.getItem(storageKey);
      var data = raw ? JSON.parse(raw) : null;
      if (data && Array.isArray(data.messages)) {
        store.messages = data.messages.filter(function (m) {
          return m && (m.role === "user" || m.role === "bot" || m.role === "note" || m.role === "desk") &&
            typeof m.text === "string";
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

  // The server never repeats a card number, e-mail address or phone number; the customer's
  // own bubble, kept in sessionStorage, must not keep one either.  window.faqbotPrivacy
  // (static/privacy.js, served in front of this file) masks by the server's own rules; of a
  // card number split over two messages only the count of digits so far is kept here.
  // The server still gets the message as typed, so it can warn the customer.
  var pendingCardDigits = 0;

  // ---- small helpers ----
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function names() {
    var service = (server && server.service) || {};
    var desk = (server && server.desk) || {};
    return { service: service.name || "", company: service.company || "", desk: desk.name || T.desk };
  }

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

  function link(url, label) {
    return el("a", { href: url, target: "_blank", rel: "noopener noreferrer", "aria-label": label + " " + T.newTab, text: label });
  }

  // Text with its http(s) URLs as links; everything else stays text.
  function linkedText(text, className) {
    var p = el("p", { className: className });
    var at = 0;
    text.replace(URL_IN_TEXT, function (matched, offset) {
      var found = matched.replace(URL_TRAILING, ""); // the sentence's full stop, not the URL's
      var url = safeUrl(found);
      if (!url) return found;
      p.appendChild(document.createTextNode(text.slice(at, offset)));
      p.appendChild(link(url, found));
      at = offset + found.length;
      return found;
    });
    p.appendChild(document.createTextNode(text.slice(at)));
    return p;
  }

  function randomKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  // POST/GET JSON with a client-side timeout: a server that never answers ends as an error.
  function requestJson(url, body, timeout) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, timeout) : null;
    var init = { method: body ? "POST" : "GET", credentials: "omit", signal: controller ? controller.signal : undefined };
    if (body) {
      init.headers = { "Content-Type": "application/json" };
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, data: data };
      });
    }).then(function (result) {
      window.clearTimeout(timer);
      return result;
    }, function (error) {
      window.clearTimeout(timer);
      throw error;
    });
  }

  // ---- the widget ----
  var host = el("faqbot-widget", {});
  host.style.setProperty("visibility", "hidden"); // until widget.css and the names have loaded: no flash
  var root = host.attachShadow({ mode: "open" });

  var sheet = el("link", { rel: "stylesheet", href: new URL("widget.css", script.src).href });
  var waiting = 2; // the stylesheet and the server's names
  function oneReady() {
    waiting -= 1;
    if (waiting <= 0) host.style.removeProperty("visibility");
  }
  sheet.addEventListener("load", oneReady);
  sheet.addEventListener("error", oneReady);

  var launcherText = el("span", { className: "launcher-text" });
  // The accessible name starts with the visible text, then says what the button does.
  var launcher = el("button", {
    type: "button", className: "launcher", "aria-expanded": "false", "aria-controls": "faqbot-panel"
  }, [el("span", { className: "launcher-icon", "aria-hidden": "true", text: "?" }), launcherText,
      el("span", { className: "sr-only", text: " " + T.launcher })]);

  var title = el("h2", { id: "faqbot-title", className: "title" });
  var menuButton = el("button", {
    type: "button", className: "icon-button menu-button", "aria-label": T.menu, "aria-expanded": "false",
    "aria-controls": "faqbot-menu"
  }, [el("span", { "aria-hidden": "true", text: "⋯" })]);
  var closeButton = el("button", { type: "button", className: "icon-button close", "aria-label": T.close },
    [el("span", { "aria-hidden": "true", text: "×" })]);
  var handoffItem = el("button", { type: "button", className: "menu-item handoff-item", text: T.handoff });
  var clearItem = el("button", { type: "button", className: "menu-item clear", text: T.clear });
  var menu = el("div", { id: "faqbot-menu", className: "menu", hidden: true }, [handoffItem, clearItem]);
  var list = el("ol", { className: "messages", "aria-label": T.messages, tabindex: "0" });
  var live = el("div", { className: "sr-only", role: "status", "aria-live": "polite", "aria-atomic": "true" });
  var hint = el("p", { id: "faqbot-hint", className: "hint", hidden: true, text: T.busy });
  var input = el("textarea", {
    id: "faqbot-input", className: "input", rows: "1", maxlength: String(MAX_CHARS),
    placeholder: T.placeholder, autocomplete: "off", enterkeyhint: "send", "aria-describedby": "faqbot-hint"
  });
  var sendButton = el("button", { type: "submit", className: "send" }, [el("span", { text: T.send })]);
  var form = el("form", { className: "composer" }, [
    el("label", { "for": "faqbot-input", className: "sr-only", text: T.input }), input, sendButton
  ]);
  // A labelled region (not a dialog with its own banner): the page stays usable beside it.
  var panel = el("section", {
    id: "faqbot-panel", className: "panel", "aria-labelledby": "faqbot-title", lang: language, hidden: true
  }, [el("div", { className: "header" }, [title, menuButton, closeButton]), menu, list, live, hint, form]);
  var frame = el("div", { className: "frame position-" + settings.position, lang: language }, [launcher, panel]);
  root.appendChild(sheet);
  root.appendChild(frame);

  var busy = false;
  var typingItem = null;
  var failure = null; // the last send that failed: {message, item}; its bubble offers a retry
  var composing = false;
  var compositionEndedAt = -Infinity;

  function applyNames() {
    var n = names();
    var text = settings.title || (n.service ? fill(T.titleFor, n) : T.title);
    title.textContent = text;
    launcherText.textContent = text;
  }

  // ---- rendering ----
  function renderMessage(message, isLast) {
    if (message.role === "desk") return renderDesk(message);
    var item = el("li", { className: "message " + message.role + (message.failed ? " failed" : "") });
    var speaker = message.role === "user" ? T.you : T.bot;
    item.appendChild(el("span", { className: "sr-only", text: speaker + ": " }));
    var textLang = message.role === "bot" && JAPANESE.test(message.text) ? "ja" : null;
    var bubble = el("div", { className: "bubble", lang: textLang });
    bubble.appendChild(linkedText(message.text, "text"));
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
      message.links.forEach(function (l) {
        var url = safeUrl(l.url);
        var label = String(l.title);
        links.appendChild(el("li", {}, [url ? link(url, label) : el("span", { className: "page-title", text: label })]));
      });
      bubble.appendChild(links);
    }
    item.appendChild(bubble);
    if (message.failed) item.appendChild(renderFailure(message));
    if (message.role === "bot" && rated(message)) item.appendChild(renderFeedback(message));
    if (message.role === "bot" && message.handoff) {
      var offer = el("button", { type: "button", className: "choice handoff-offer", text: T.handoff });
      offer.addEventListener("click", function () { openHandoff(message.handoff); });
      item.appendChild(el("div", { className: "choices" }, [offer]));
    }
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

  // A message that did not get through: marked, with a retry while this page still has it.
  function renderFailure(message) {
    var box = el("div", { className: "failure" }, [
      el("span", { className: "failure-text", text: "⚠ " + T.failed + (message.timedOut ? " " + T.timedOut : "") })
    ]);
    if (failure && failure.item === message) {
      var retry = el("button", { type: "button", className: "retry", text: T.retry });
      retry.addEventListener("click", function () {
        if (input.value.trim() === failure.shown.trim()) input.value = "";
        retrySend();
        input.focus(); // the retry button is gone once the message is on its way
      });
      box.appendChild(retry);
    }
    return box;
  }

  function renderDesk(message) {
    var item = el("li", { className: "message bot desk", "data-key": message.key });
    item.appendChild(el("span", { className: "sr-only", text: T.bot + ": " }));
    var n = names();
    var desk = message.desk || {};
    n.desk = desk.name || n.desk;
    var card = el("div", { className: "bubble desk-card" }, [
      el("p", { className: "desk-title", tabindex: "-1", text: T.handoff + " — " + n.desk })
    ]);
    var rows = [["phone", desk.phone], ["hours", desk.hours], ["form", safeUrl(desk.form_url)], ["page", safeUrl(desk.url)]]
      .filter(function (row) { return typeof row[1] === "string" && row[1]; });
    if (rows.length) {
      var contact = el("dl", { className: "facts contact" });
      rows.forEach(function (row) {
        contact.appendChild(el("dt", { text: T[row[0]] }));
        var isLink = row[0] === "form" || row[0] === "page";
        contact.appendChild(el("dd", {}, [isLink ? link(row[1], row[1]) : document.createTextNode(row[1])]));
      });
      card.appendChild(contact);
    } else {
      card.appendChild(el("p", { className: "text", text: fill(T.noContact, n) })); // nothing invented
    }
    var status = message.status === "sending" && handoffInFlight !== message.key ? "failed" : message.status;
    if (status === "offer" || status === "failed" || status === "sending") {
      if (status === "failed") card.appendChild(el("p", { className: "desk-result", tabindex: "-1", text: fill(T.handoffFailed, n) }));
      else card.appendChild(el("p", { className: "text", text: T.offer }));
      var sendIt = el("button", {
        type: "button", className: "choice handoff-send", disabled: status === "sending",
        text: status === "failed" ? T.retry : T.handoffSend
      });
      sendIt.addEventListener("click", function () { sendHandoff(message); });
      card.appendChild(el("div", { className: "choices" }, [sendIt]));
      if (status === "sending") card.appendChild(el("p", { className: "text", text: T.handoffSending }));
    } else if (status === "delivered" || status === "queued") {
      var result = status === "delivered" ? T.handoffDelivered : T.handoffQueued;
      card.appendChild(el("p", { className: "desk-result " + status, tabindex: "-1", text: fill(result, Object.assign({ ref: message.reference || "" }, n)) }));
    }
    item.appendChild(card);
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
    requestJson(feedbackEndpoint, body, settings.timeout).catch(function () {});
  }

  function renderAll() {
    var n = names();
    list.textContent = "";
    // The billing date is offered only by a knowledge base with a calculator (widget-config.json's billing).
    var welcome = n.service ? fill(server && server.billing === true ? T.welcomeBilling : T.welcomeFor, n) : T.welcome;
    list.appendChild(renderMessage({ role: "bot", text: welcome }, false)); // not stored: always first
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

  // ---- talking to the server ----
  function post(message, state) {
    var body = { message: message };
    if (state) body.state = state;
    if (languageSetting) body.lang = languageSetting; // only when the page fixed the language
    return requestJson(endpoint, body, settings.timeout);
  }

  function setBusy(on) {
    busy = on;
    sendButton.disabled = on;
    if (!on) hint.hidden = true;
  }

  // A further Enter while a reply is on its way: the text stays, and the customer is told why.
  function refuseWhileBusy() {
    hint.hidden = false;
    announce(T.busy);
  }

  function send(message, shown) {
    message = (message || "").trim();
    if (!message) return;
    if (busy) {
      refuseWhileBusy();
      return;
    }
    if (failure && failure.item === store.messages[store.messages.length - 1] && failure.message === message) {
      retrySend(); // the same text again: it is the retry of the marked bubble
      return;
    }
    // Screened once per new message, so a retry does not count a split card's digits twice.
    var screened = window.faqbotPrivacy.screen(message, pendingCardDigits);
    pendingCardDigits = screened.tail;
    var item = { role: "user", text: shown ? window.faqbotPrivacy.mask(shown, 0) : screened.text };
    store.messages.push(item);
    deliver(message, shown || message, item, screened.text);
  }

  function retrySend() {
    if (failure && !busy) deliver(failure.message, failure.shown, failure.item, failure.query);
  }

  function deliver(message, shown, item, query) {
    failure = null;
    delete item.failed;
    delete item.timedOut;
    saveStore();
    renderAll();
    setBusy(true);
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
        query: query,
        choices: Array.isArray(reply.choices) ? reply.choices : [],
        links: Array.isArray(reply.links) ? reply.links : [],
        facts: Array.isArray(reply.facts) ? reply.facts : [],
        handoff: reply.handoff && typeof reply.handoff === "object" ? reply.handoff : null
      });
      announce(T.bot + ": " + reply.text);
    }).catch(function (error) {
      setTyping(false);
      item.failed = true;
      item.timedOut = !!(error && error.name === "AbortError");
      failure = { message: message, shown: shown, item: item, query: query };
      saveStore();
      renderAll();
      if (!input.value.trim()) {
        input.value = shown; // what the customer typed is not lost
        fitInput();
      }
      announce(T.failed + (item.timedOut ? " " + T.timedOut : ""));
    }).then(function () {
      setBusy(false);
    });
  }

  // ---- handoff to a person ----
  var handoffInFlight = null;

  function openHandoff(offered) {
    setMenu(false);
    var reason = offered && HANDOFF_REASONS[offered.reason] ? offered.reason : "asked";
    var desk = Object.assign({}, (server && server.desk) || {});
    if (offered) {
      ["phone", "hours", "form_url", "url"].forEach(function (key) { if (offered[key]) desk[key] = offered[key]; });
      if (offered.desk) desk.name = offered.desk;
    }
    var enabled = !!(server && server.handoff && server.handoff.enabled);
    var message = { role: "desk", text: T.handoff, desk: desk, reason: reason, key: randomKey(), status: enabled ? "offer" : "info" };
    addMessage(message);
    announce(T.handoff + ": " + (desk.name || T.desk));
    focusIn(message.key, enabled ? ".handoff-send" : ".desk-title");
  }

  function transcript() {
    return store.messages.filter(function (m) { return m.role === "user" || m.role === "bot"; })
      .slice(-MAX_TRANSCRIPT)
      .map(function (m) { return { role: m.role, text: m.text.slice(0, 2000) }; });
  }

  function sendHandoff(message) {
    if (handoffInFlight) return;
    var lines = transcript();
    var body = { key: message.key, reason: message.reason, transcript: lines.length ? lines : [{ role: "bot", text: message.text }] };
    if (store.state) body.state = store.state;
    if (languageSetting) body.lang = languageSetting;
    handoffInFlight = message.key;
    message.status = "sending";
    saveStore();
    renderAll();
    announce(T.handoffSending);
    // The server tries the desk a few times before it answers: give it longer than a chat turn.
    requestJson(handoffEndpoint, body, Math.max(settings.timeout, 20000)).then(function (result) {
      var status = result.ok && result.data && result.data.status;
      message.status = status === "delivered" || status === "queued" ? status : "failed";
      message.reference = result.ok && typeof result.data.reference === "string" ? result.data.reference : "";
    }, function () {
      message.status = "failed";
    }).then(function () {
      handoffInFlight = null;
      saveStore();
      renderAll();
      var result = list.querySelector('[data-key="' + message.key + '"] .desk-result');
      if (result) announce(result.textContent);
      focusIn(message.key, ".desk-result");
    });
  }

  function focusIn(key, selector) {
    var target = list.querySelector('[data-key="' + key + '"] ' + selector);
    if (target) target.focus();
  }

  // ---- the panel, its menu and the composer ----
  function setMenu(open) {
    menu.hidden = !open;
    menuButton.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) handoffItem.focus();
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
    } else {
      setMenu(false);
      if (moveFocus) launcher.focus();
    }
  }

  function clearConversation() {
    setMenu(false);
    failure = null;
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

  // Enter that confirms an IME conversion must not send.  Chrome and Firefox flag that
  // keydown (isComposing, keyCode 229) and fire compositionend after it; Safari fires
  // compositionend first and then the keydown, so a keydown right after compositionend
  // is the confirming one too.
  function confirmsConversion(event) {
    return composing || event.isComposing || event.keyCode === 229 || event.timeStamp - compositionEndedAt < 100;
  }

  launcher.addEventListener("click", function () { setOpen(panel.hidden, true); });
  closeButton.addEventListener("click", function () { setOpen(false, true); });
  menuButton.addEventListener("click", function () { setMenu(menu.hidden); });
  handoffItem.addEventListener("click", function () { openHandoff(null); });
  clearItem.addEventListener("click", clearConversation);
  panel.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    event.preventDefault();
    if (!menu.hidden) {
      setMenu(false);
      menuButton.focus();
    } else {
      setOpen(false, true);
    }
  });
  panel.addEventListener("click", function (event) {
    if (!menu.hidden && !menu.contains(event.target) && !menuButton.contains(event.target)) setMenu(false);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) return;
    if (busy) {
      refuseWhileBusy();
      return;
    }
    input.value = "";
    fitInput();
    send(text);
  });
  input.addEventListener("compositionstart", function () { composing = true; });
  input.addEventListener("compositionend", function (event) {
    composing = false;
    compositionEndedAt = event.timeStamp;
  });
  input.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.shiftKey || confirmsConversion(event)) return;
    event.preventDefault();
    form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
  });
  input.addEventListener("input", fitInput);

  // The page's own "ask this" elements (the demo's FAQ list): open the chat with that question.
  document.addEventListener("click", function (event) {
    var asker = event.target && event.target.closest ? event.target.closest("[data-faqbot-ask]") : null;
    if (!asker) return;
    event.preventDefault();
    if (panel.hidden) setOpen(true, true);
    send(asker.getAttribute("data-faqbot-ask"));
  });

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

  // The service's names and the desk's contact points, from the server's knowledge base.
  function loadServerStrings() {
    var settled = false;
    function done() {
      if (settled) return;
      settled = true;
      applyNames();
      renderAll();
      oneReady();
    }
    window.setTimeout(done, 3000); // a slow server must not hide the widget for long
    requestJson(configEndpoint, null, settings.timeout).then(function (result) {
      if (result.ok && result.data && typeof result.data === "object") server = result.data;
    }).catch(function () {}).then(function () {
      if (settled) { applyNames(); renderAll(); } else done();
    });
  }

  function mount() {
    loadStore();
    applyNames();
    document.body.appendChild(host);
    renderAll();
    if (store.open || settings.openOnLoad) setOpen(true, false);
    loadServerStrings();
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
