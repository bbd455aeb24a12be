// Site photos from a phone: <input type="file" data-photo> in a form that holds hidden inputs
// [data-photo-field="latitude|longitude|accuracy|taken_at"] and a [data-photo-status] line
// (templates/core/_photo_fields.html). When a photo is chosen:
//   - it is made smaller in the browser (a canvas, at most 1600 px on its long side, JPEG at
//     quality 0.8) before it is sent, the EXIF of a JPEG copied into the smaller file (time and
//     GPS of the camera kept, its orientation set upright as the canvas draws it);
//   - the time it was taken (the file's own time) goes in taken_at; the server prefers EXIF;
//   - the browser is asked where it is (the user may refuse): latitude, longitude, accuracy.
// Without script, or where anything here fails, the photo is sent as chosen, without them.
(function () {
  "use strict";
  const LONG_SIDE = 1600;
  const QUALITY = 0.8;

  function field(form, name) {
    return form.querySelector('[data-photo-field="' + name + '"]');
  }

  function setField(form, name, value) {
    const input = field(form, name);
    if (input) { input.value = value; }
  }

  // The status line says two things: how the photo is coming on, and whether it has a place.
  const said = new WeakMap();

  function say(form, part, key) {
    const status = form.querySelector("[data-photo-status]");
    if (!status) { return; }
    const parts = said.get(form) || {};
    parts[part] = key;
    said.set(form, parts);
    status.hidden = false;
    status.textContent = ["photo", "place"]
      .map(function (name) { return parts[name] ? status.dataset[parts[name]] || "" : ""; })
      .filter(Boolean)
      .join(" ");
  }

  // The EXIF segment (APP1 "Exif") of a JPEG's first bytes, or null.
  function exifSegment(buffer) {
    const view = new DataView(buffer);
    if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) { return null; }
    let offset = 2;
    while (offset + 4 <= view.byteLength) {
      const marker = view.getUint16(offset);
      if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) { return null; }
      const length = view.getUint16(offset + 2);
      const end = offset + 2 + length;
      if (end > view.byteLength) { return null; }
      if (marker === 0xffe1 && length > 8 && view.getUint32(offset + 4) === 0x45786966) {
        const segment = new Uint8Array(buffer.slice(offset, end));
        upright(segment);
        return segment;
      }
      offset = end;
    }
    return null;
  }

  // Orientation (0x0112) of the first IFD set to 1: the canvas has drawn the picture upright.
  function upright(segment) {
    try {
      const view = new DataView(segment.buffer);
      const tiff = 10;
      const little = view.getUint16(tiff) === 0x4949;
      const ifd = tiff + view.getUint32(tiff + 4, little);
      const count = view.getUint16(ifd, little);
      for (let i = 0; i < count; i += 1) {
        const entry = ifd + 2 + i * 12;
        if (view.getUint16(entry, little) === 0x0112) { view.setUint16(entry + 8, 1, little); }
      }
    } catch (error) {
      // A malformed segment is copied as it is; the server reads what it can of it.
    }
  }

  // Where the EXIF goes in the canvas's JPEG: after its JFIF segment (APP0), if any.
  async function insertionPoint(blob) {
    const head = new DataView(await blob.slice(0, 6).arrayBuffer());
    if (head.byteLength === 6 && head.getUint16(2) === 0xffe0) { return 4 + head.getUint16(4); }
    return 2;
  }

  function loadImage(file) {
    return new Promise(function (resolve, reject) {
      const url = URL.createObjectURL(file);
      const image = new Image();
      image.onload = function () { URL.revokeObjectURL(url); resolve(image); };
      image.onerror = function () { URL.revokeObjectURL(url); reject(new Error("unreadable")); };
      image.src = url;
    });
  }

  // A smaller JPEG of `file`, with its EXIF; null when it is already small enough.
  async function shrink(file) {
    const image = await loadImage(file);
    const longest = Math.max(image.naturalWidth, image.naturalHeight);
    if (longest <= LONG_SIDE && file.type === "image/jpeg") { return null; }
    const scale = Math.min(1, LONG_SIDE / longest);
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(image.naturalWidth * scale);
    canvas.height = Math.round(image.naturalHeight * scale);
    canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise(function (resolve) {
      canvas.toBlob(resolve, "image/jpeg", QUALITY);
    });
    if (!blob) { return null; }
    let parts = [blob];
    if (file.type === "image/jpeg") {
      const exif = exifSegment(await file.slice(0, 256 * 1024).arrayBuffer());
      if (exif) {
        const at = await insertionPoint(blob);
        parts = [blob.slice(0, at), exif, blob.slice(at)];
      }
    }
    const name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
    return new File(parts, name, { type: "image/jpeg", lastModified: file.lastModified });
  }

  function locate(form) {
    if (!("geolocation" in navigator) || !window.isSecureContext) {
      say(form, "place", "unlocated");
      return;
    }
    navigator.geolocation.getCurrentPosition(
      function (position) {
        setField(form, "latitude", position.coords.latitude.toFixed(6));
        setField(form, "longitude", position.coords.longitude.toFixed(6));
        setField(form, "accuracy", Math.round(position.coords.accuracy));
        say(form, "place", "located");
      },
      function () { say(form, "place", "unlocated"); },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
    );
  }

  function buttons(form) {
    return form.querySelectorAll("button:not([type]), button[type=submit], input[type=submit]");
  }

  async function chosen(input) {
    const form = input.form;
    const file = input.files && input.files[0];
    if (!form || !file) { return; }
    setField(form, "taken_at", new Date(file.lastModified || Date.now()).toISOString());
    locate(form);
    const waiting = buttons(form);
    waiting.forEach(function (button) { button.disabled = true; });
    say(form, "photo", "shrinking");
    try {
      const smaller = await shrink(file);
      if (smaller && smaller.size < file.size) {
        const transfer = new DataTransfer();
        transfer.items.add(smaller);
        input.files = transfer.files;
      }
    } catch (error) {
      // The photo is sent as chosen.
    } finally {
      waiting.forEach(function (button) { button.disabled = false; });
      say(form, "photo", "ready");
    }
  }

  document.querySelectorAll("input[type=file][data-photo]").forEach(function (input) {
    input.addEventListener("change", function () { chosen(input); });
  });
})();
