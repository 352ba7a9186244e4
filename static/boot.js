// Runs before the first paint: the reader's app layout (columns that scroll inside a fixed
// window) is only for browsers with JavaScript; without it the page scrolls as a document.
document.documentElement.classList.add("js");
