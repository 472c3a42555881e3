/*
 * faqbot personal-data masker: what the help widget keeps (sessionStorage, its own
 * bubbles) is masked by the server's rules.  The steps mirror faqbot/text/privacy.py;
 * the rules themselves (patterns, lengths, placeholders, digit blocks) are not
 * written here: the server generates them from faqbot/text/pii_rules.py and puts
 * them in place of RULES when it serves this file in front of widget.js.
 * tests/browser/test_widget_privacy.py checks both sides agree on generated cases.
 */
window.faqbotPrivacy = window.faqbotPrivacy || (function (R) {
  "use strict";

  var RUN = new RegExp(R.patterns.run, "g");
  var HINT = new RegExp(R.patterns.hint);
  var HEAD = new RegExp(R.patterns.head);
  var TRAILER = new RegExp("^(?:" + R.patterns.trailer + ")$");
  var CONTEXT = new RegExp(R.patterns.context, "i");
  var EMAIL = new RegExp(R.patterns.email, "g");
  var PHONE = new RegExp(R.patterns.phone, "g");
  var GROUP = /[0-9]+/g;
  var ND = /\p{Nd}/u;

  function asciiDigit(cp) {
    for (var i = 0; i < R.digitZeros.length; i++) {
      var zero = R.digitZeros[i];
      if (cp >= zero && cp <= zero + 9) return String(cp - zero);
    }
    return null;
  }

  // NFKC with every decimal digit as ASCII, and the source index of each output character.
  function normalise(text) {
    var out = "", origin = [], index = 0;
    for (var ch of text) {
      var digit = ND.test(ch) ? asciiDigit(ch.codePointAt(0)) : null;
      var piece = digit !== null ? digit : ch.normalize("NFKC");
      for (var k = 0; k < piece.length; k++) origin.push(index);
      out += piece;
      index += ch.length;
    }
    return { text: out, origin: origin };
  }

  function luhnValid(digits) {
    var total = 0;
    for (var i = 0; i < digits.length; i++) {
      var d = digits.charCodeAt(digits.length - 1 - i) - 48;
      if (i % 2 === 1) d = d > 4 ? d * 2 - 9 : d * 2;
      total += d;
    }
    return total % 10 === 0;
  }

  function digitCount(text) { return (text.match(/[0-9]/g) || []).length; }

  function overlaps(spans, start, end) {
    return spans.some(function (s) { return s.start < end && start < s.end; });
  }

  function continuation(norm, pending, spans) {
    if (pending <= 0) return 0;
    var head = HEAD.exec(norm);
    if (!head) return 0;
    var end = head[0].length, total = pending + digitCount(head[0]);
    var start = head[0].search(/[0-9]/);
    if (total >= R.card.min && total <= R.card.max) {
      spans.push({ start: start, end: end, mask: R.masks.card });
      return 0;
    }
    if (total < R.card.min && TRAILER.test(norm.slice(end))) {
      spans.push({ start: start, end: end, mask: R.masks.card });
      return total;
    }
    return 0;
  }

  function cardSpans(norm, taken) {
    var found = [];
    if (!HINT.test(norm)) return found;
    RUN.lastIndex = 0;
    var run;
    while ((run = RUN.exec(norm)) !== null) {
      var runEnd = run.index + run[0].length;
      if (overlaps(taken, run.index, runEnd)) continue;
      var groups = [], g;
      GROUP.lastIndex = 0;
      while ((g = GROUP.exec(run[0])) !== null) {
        groups.push({ start: run.index + g.index, end: run.index + g.index + g[0].length, digits: g[0] });
      }
      var i = 0;
      while (i < groups.length) {
        var best = null, digits = "";
        for (var j = i; j < groups.length; j++) {
          digits += groups[j].digits;
          if (digits.length > R.card.max) break;
          if (digits.length >= R.card.min && luhnValid(digits)) best = { start: groups[i].start, end: groups[j].end, j: j };
        }
        if (best === null) { i += 1; continue; }
        found.push({ start: best.start, end: best.end, mask: R.masks.card });
        i = best.j + 1;
      }
    }
    return found;
  }

  // Digits of a card number the message may end in the middle of; null: the continuation's count stands.
  function unfinishedTail(norm, spans, continued) {
    var last = null, run;
    RUN.lastIndex = 0;
    while ((run = RUN.exec(norm)) !== null) last = run;
    if (last === null) return 0;
    var end = last.index + last[0].length;
    if (!TRAILER.test(norm.slice(end))) return 0;
    if (overlaps(continued, last.index, end)) return null;
    var count = digitCount(last[0]);
    if (count >= R.card.max) return 0;
    if (overlaps(spans, last.index, end)) return count;
    if (!CONTEXT.test(norm)) return 0;
    if (count >= R.card.tailMask) spans.push({ start: last.index, end: end, mask: R.masks.card });
    return count;
  }

  function isPhone(candidate) {
    var digits = candidate.replace(/[^0-9]/g, "");
    if (candidate.charAt(0) === "+") {
      var national = digits.slice(2);
      if (national.charAt(0) === "0") national = national.slice(1);
      return national.length >= 9 && national.length <= 10;
    }
    if (digits.length < 10 || digits.length > 11) return false;
    if (digits.length === 11) return R.mobile.indexOf(digits.slice(0, 3)) >= 0 || digits.indexOf("0800") === 0;
    return digits.charAt(1) !== "0" || R.freeDial.some(function (p) { return digits.indexOf(p) === 0; });
  }

  function addAll(spans, norm, regex, mask, accept) {
    regex.lastIndex = 0;
    var m;
    while ((m = regex.exec(norm)) !== null) {
      var end = m.index + m[0].length;
      if (accept(m[0]) && !overlaps(spans, m.index, end)) spans.push({ start: m.index, end: end, mask: mask });
    }
  }

  // { text: masked, card: held card data, tail: digits of an unfinished card number it ends with }
  function screen(text, pending) {
    if (!text) return { text: text, card: false, tail: 0 };
    var n = normalise(text), norm = n.text, spans = [];
    var tail = continuation(norm, pending || 0, spans);
    var continued = spans.slice();
    Array.prototype.push.apply(spans, cardSpans(norm, spans));
    var endTail = unfinishedTail(norm, spans, continued);
    if (endTail !== null) tail = endTail;
    var card = spans.length > 0;
    addAll(spans, norm, EMAIL, R.masks.email, function () { return true; });
    addAll(spans, norm, PHONE, R.masks.phone, isPhone);
    spans.sort(function (a, b) { return b.start - a.start; });
    var out = text, lastStart = text.length + 1;
    spans.forEach(function (s) {
      var start = n.origin[s.start];
      var end = Math.min(n.origin[s.end - 1] + 1, lastStart);
      if (start >= end) return;
      var last = text.codePointAt(n.origin[s.end - 1]) > 0xffff ? 1 : 0;  // a surrogate pair is one character
      end = Math.min(end + last, lastStart);
      out = out.slice(0, start) + s.mask + out.slice(end);
      lastStart = start;
    });
    return { text: out, card: card, tail: tail };
  }

  return { screen: screen, mask: function (text, pending) { return screen(text, pending).text; } };
})(/*RULES*/null);
