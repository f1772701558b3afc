export { setup as default } from "./temp-check";
