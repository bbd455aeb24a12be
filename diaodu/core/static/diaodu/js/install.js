// Registers the service worker (diaodu.core.pwa.service_worker) that keeps the static shell for
// use without a connection. Included at the end of base.html:
//   <script src=".../install.js" data-service-worker="/sw.js"></script>
(function () {
  "use strict";
  const script = document.currentScript;
  const url = script && script.dataset.serviceWorker;
  if (!url || !("serviceWorker" in navigator)) { return; }
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(url).catch(function () {
      // Without a service worker the site works as before, only not offline.
    });
  });
})();
