export { teardown as default } from "./temp-check";
