// Every htmx request carries the CSRF token from the csrftoken cookie (double-submit check);
// htmx cannot read a cookie into a header by itself.
document.addEventListener("htmx:configRequest", function (event) {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) event.detail.headers["x-csrftoken"] = decodeURIComponent(match[1]);
});
