// The end of LTI Dynamic Registration: tell the LMS to close its registration dialog
// (LTI Dynamic Registration 1.0, "org.imsglobal.lti.close"). The message carries no data, so
// any origin may receive it. Without JavaScript the page says the window can be closed.
(function () {
  'use strict';
  var lms = window.opener || (window.parent !== window ? window.parent : null);
  function close() {
    if (lms) lms.postMessage({ subject: 'org.imsglobal.lti.close' }, '*');
    else window.close();
  }
  document.querySelectorAll('.js-lti-close').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', close);
  });
  // A registration that needs nothing more closes the dialog at once; one that waits for
  // approval stays open, so the command to approve it can be copied first.
  if (document.querySelector('[data-lti-close="auto"]')) close();
})();
