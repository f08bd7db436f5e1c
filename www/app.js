// The preview page: loads the browser entry of ../pkg (the one wasm build) and maps
// the pasted person on submit.
import { version, mapContact } from "../pkg/browser.js";

const SAMPLE = {
  Uid: "DQ2DyknW",
  Email: "  Jane.Doe@Example.COM ",
  FirstName: "Jane",
  LastName: "Doe ",
  PhoneMobile: "",
  PhoneWork: "+1 555 010 2030",
  CoffeePreference: "Latte",
};

/** @template {HTMLElement} T @param {string} selector @param {new () => T} type @returns {T} */
function element(selector, type) {
  const found = document.querySelector(selector);
  if (!(found instanceof type)) throw new Error(`the page has no ${selector}`);
  return found;
}

const form = element("#map-form", HTMLFormElement);
const input = element("#person", HTMLTextAreaElement);
const result = element("#result", HTMLPreElement);

function show() {
  result.classList.remove("error");
  try {
    result.textContent = JSON.stringify(mapContact(JSON.parse(input.value)), null, 2);
  } catch (err) {
    // JSON.parse errors carry no code: they are bad input all the same.
    const { code = "INPUT_INVALID", message = String(err), details = undefined } =
      /** @type {Partial<import("../pkg/index.js").OutsetaGhlSyncError>} */ (err);
    result.classList.add("error");
    result.textContent = `${code}: ${message}${details ? `\n${JSON.stringify(details, null, 2)}` : ""}`;
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  show();
});

element("#version", HTMLElement).textContent = version();
input.value = JSON.stringify(SAMPLE, null, 2);
element("button[type=submit]", HTMLButtonElement).disabled = false;
show();
document.body.dataset.ready = "true";
