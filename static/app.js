// Every htmx request carries the CSRF token from the csrftoken cookie (double-submit check);
// htmx cannot read a cookie into a header by itself.
document.addEventListener("htmx:configRequest", function (event) {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) event.detail.headers["x-csrftoken"] = decodeURIComponent(match[1]);
});
// A stacked (phone) layout gets each paragraph's counterparts copied under it.
document.addEventListener("htmx:configRequest", function (event) {
  if (window.matchMedia("(max-width: 760px)").matches) event.detail.headers["X-Parallax-Narrow"] = "1";
});
