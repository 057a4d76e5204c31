// Deep linking: sends the signed response to the LMS as soon as the page has loaded. The page
// keeps a visible "Continue" button for browsers without JavaScript. A file rather than an
// inline script, so the CSP stays script-src 'self' (only form-action is widened, on that page).
(function () {
  'use strict';
  var form = document.querySelector('form[data-autosubmit]');
  if (form) form.submit();
})();
