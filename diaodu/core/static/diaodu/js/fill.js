// The filing page (reporting/period_fill.html) on a bad connection: what is typed in a row is
// kept on the phone until the server confirms it, and a row saved without a connection is sent
// when the connection returns.
//
// Markup read here (reporting/period_fill.html, the rows written by reporting/rows.py):
//   #fill-rows[data-draft-key="diaodu.draft.<user>.<period>"]  the grid's card; its data-msg-*
//       attributes carry the translated messages (draft, pending, sending, saved, unconfirmed,
//       conflict, invalid, locked, no-storage)
//   tr.fill-card#row-<project>[data-project="<project>"]  one project's row (a card on a phone),
//       with [data-locked] when the report can no longer be changed, [data-current-version]
//       after a conflict (the version saved on the server)
//   #draft-message-<project>[data-draft-message]  the row's state in words (aria-live)
//   [data-draft-actions]  holds the buttons below, shown when a draft needs a decision
//   #draft-overwrite-<project>[data-draft-overwrite]  saves the draft over the version saved on
//       the server (shown after a 409 answer, which names that version)
//   #draft-discard-<project>[data-draft-discard]  forgets the draft and reloads the page
//   #save-<project>[data-fill-save]  the row's Save button (htmx POST to reporting:fill-row)
//
// data-draft-state on each row, set by the server ("clean", "saved", "conflict") and then here:
//   clean     nothing kept on the phone for this row
//   draft     typed, kept on the phone, not yet saved (the user presses Save)
//   pending   kept on the phone; sent automatically when the connection returns
//             (the `online` event, on opening the page, and every 30 s while any is pending)
//   sending   being sent
//   saved     the server confirmed it (200 with X-Report-Version); the draft is dropped
//   conflict  the server has a newer version (409); the draft is kept until the user decides
//   invalid   the server refused the values (400); the draft is kept, the row shows why
//   locked    the report can no longer be changed here (or 403); the draft is kept
//
// Storage: localStorage["<data-draft-key>.<project>"] = JSON
//   {"fields": {"p12-invested": "120", ...}, "version": "3", "state": "pending", "at": <ms>}
// where version is the server's version the draft was typed on (the optimistic lock).
(function () {
  "use strict";
  const grid = document.getElementById("fill-rows");
  if (!grid) { return; }
  const RETRY_MS = 30000;
  const KEPT = ["draft", "pending", "sending", "conflict", "invalid", "locked"];
  let retryTimer = null;

  function storageKey(row) { return grid.dataset.draftKey + "." + row.dataset.project; }

  function readDraft(row) {
    try {
      const text = window.localStorage.getItem(storageKey(row));
      return text ? JSON.parse(text) : null;
    } catch (error) {
      return null;
    }
  }

  function writeDraft(row, draft) {
    draft.at = Date.now();
    try {
      window.localStorage.setItem(storageKey(row), JSON.stringify(draft));
      return true;
    } catch (error) {
      show(row, row.dataset.draftState, grid.dataset.msgNoStorage);
      return false;
    }
  }

  function dropDraft(row) {
    try { window.localStorage.removeItem(storageKey(row)); } catch (error) { /* nothing kept */ }
  }

  function fields(row) {
    const prefix = "p" + row.dataset.project + "-";
    return Array.prototype.filter.call(
      row.querySelectorAll("input, textarea, select"),
      function (field) { return field.name && field.name.indexOf(prefix) === 0; }
    );
  }

  function versionField(row) {
    return row.querySelector("input[name='p" + row.dataset.project + "-version']");
  }

  function typed(row) {
    const values = {};
    fields(row).forEach(function (field) {
      if (field !== versionField(row)) { values[field.name] = field.value; }
    });
    return values;
  }

  function fill(row, draft) {
    fields(row).forEach(function (field) {
      if (Object.prototype.hasOwnProperty.call(draft.fields, field.name)) {
        field.value = draft.fields[field.name];
      }
    });
  }

  // Shows the row's state: the attribute, the words, and the buttons a decision needs.
  function show(row, state, message) {
    row.dataset.draftState = state;
    const words = row.querySelector("[data-draft-message]");
    if (words) {
      const key = "msg" + state.charAt(0).toUpperCase() + state.slice(1);
      words.textContent = message || grid.dataset[key] || "";
      words.className = "small " + ({
        saved: "text-success", draft: "text-secondary", pending: "text-warning",
        sending: "text-secondary",
      }[state] || "text-danger");
    }
    const actions = row.querySelector("[data-draft-actions]");
    if (actions) {
      actions.hidden = ["conflict", "invalid", "locked"].indexOf(state) === -1;
      const overwrite = actions.querySelector("[data-draft-overwrite]");
      if (overwrite) { overwrite.hidden = state !== "conflict" || !row.dataset.currentVersion; }
    }
  }

  function rowOf(element) { return element && element.closest ? element.closest("tr.fill-card") : null; }

  function rowFromEvent(event) {
    const target = event.detail && event.detail.target;
    const project = target && target.id && target.id.indexOf("row-") === 0 ? target.id.slice(4) : null;
    return project ? document.getElementById("row-" + project) : rowOf(event.target);
  }

  function save(row) {
    const button = row.querySelector("[data-fill-save]");
    if (button && window.htmx) { window.htmx.trigger(button, "click"); }
  }

  function sendPending() {
    if (!navigator.onLine) { return; }
    grid.querySelectorAll("tr.fill-card[data-draft-state='pending']").forEach(save);
  }

  function scheduleRetry() {
    if (retryTimer === null) {
      retryTimer = window.setInterval(function () {
        if (!grid.querySelector("tr.fill-card[data-draft-state='pending']")) {
          window.clearInterval(retryTimer);
          retryTimer = null;
          return;
        }
        sendPending();
      }, RETRY_MS);
    }
  }

  function keep(row, state, message) {
    const draft = readDraft(row) || {};
    const current = typed(row);
    if (Object.keys(current).length || !draft.fields) { draft.fields = current; }
    if (!("version" in draft)) {
      const version = versionField(row);
      draft.version = version ? version.value : "";
    }
    draft.state = state;
    writeDraft(row, draft);
    show(row, state, message);
    if (state === "pending") { scheduleRetry(); }
  }

  // Typing: every change is kept on the phone at once.
  grid.addEventListener("input", function (event) {
    const row = rowOf(event.target);
    if (!row || "locked" in row.dataset || !event.target.name) { return; }
    const previous = readDraft(row);
    // A conflict waits for the user's decision, a row already saved on the phone still goes out
    // on its own; a row typed without a connection goes out when it returns.
    const state = previous && ["conflict", "pending"].indexOf(previous.state) !== -1
      ? previous.state : (navigator.onLine ? "draft" : "pending");
    const version = versionField(row);
    const draft = {
      fields: typed(row),
      version: previous ? previous.version : (version ? version.value : ""),
      state: state,
    };
    writeDraft(row, draft);
    show(row, state);
    if (state === "pending") { scheduleRetry(); }
  });

  grid.addEventListener("click", function (event) {
    const row = rowOf(event.target);
    if (!row) { return; }
    if (event.target.closest("[data-draft-discard]")) {
      dropDraft(row);
      window.location.reload();
    } else if (event.target.closest("[data-draft-overwrite]")) {
      const draft = readDraft(row);
      if (!draft) { return; }
      const version = versionField(row);
      if (version && row.dataset.currentVersion) { version.value = row.dataset.currentVersion; }
      fill(row, draft);
      draft.version = version ? version.value : draft.version;
      draft.state = "draft";
      writeDraft(row, draft);
      save(row);
    }
  });

  // Before a row is sent: what is sent is kept, in case the answer never comes, and the row's
  // fields wait for the answer (it replaces the row), so that nothing typed meanwhile is lost.
  document.addEventListener("htmx:beforeRequest", function (event) {
    const row = rowFromEvent(event);
    if (!row || !grid.contains(row)) { return; }
    keep(row, "sending");
    fields(row).forEach(function (field) { field.readOnly = true; });
  });

  // The row comes back with the server's messages for a conflict, refused values or refusal.
  document.addEventListener("htmx:beforeSwap", function (event) {
    const row = rowFromEvent(event);
    if (!row || !grid.contains(row)) { return; }
    const xhr = event.detail.xhr;
    if ([400, 403, 409].indexOf(xhr.status) !== -1) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else if (xhr.status === 200 && !xhr.getResponseHeader("X-Report-Version")) {
      event.detail.shouldSwap = false;  // not the row (a sign-in page): the draft stays
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    const row = rowFromEvent(event);
    if (!row || !grid.contains(row)) { return; }
    fields(row).forEach(function (field) { field.readOnly = false; });
    const xhr = event.detail.xhr;
    const status = xhr ? xhr.status : 0;
    if (status === 200 && xhr.getResponseHeader("X-Report-Version")) {
      dropDraft(row);
      show(row, "saved");
    } else if (status === 409) {
      keep(row, "conflict");
    } else if (status === 400) {
      keep(row, "invalid");
    } else if (status === 403) {
      keep(row, "locked");
    } else if (status === 200) {
      keep(row, "pending", grid.dataset.msgUnconfirmed);
    } else {
      keep(row, "pending");  // no connection, a timeout or the server's trouble: try again
    }
  });

  // Opening the page: drafts kept on the phone come back into their rows.
  grid.querySelectorAll("tr.fill-card").forEach(function (row) {
    const draft = readDraft(row);
    if (!draft) { return; }
    if ("locked" in row.dataset) {
      show(row, "locked");
      return;
    }
    // The draft goes back into the row with the version it was typed on: saved over a newer
    // version, it meets the conflict (409) and the user decides.
    fill(row, draft);
    const version = versionField(row);
    if (version && draft.version !== undefined && draft.version !== "") { version.value = draft.version; }
    const state = { sending: "pending", invalid: "draft", locked: "draft" }[draft.state] || draft.state;
    show(row, KEPT.indexOf(state) === -1 ? "draft" : state);
    if (row.dataset.draftState === "pending") { scheduleRetry(); }
  });
  window.addEventListener("online", sendPending);
  // Once htmx has set up the rows' Save buttons (it does so when the document is loaded).
  if (document.readyState === "complete") {
    sendPending();
  } else {
    window.addEventListener("load", sendPending);
  }
})();
