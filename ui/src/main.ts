import { mount } from "svelte";
import { mark } from "./lib/api";
import "./app.css";
import App from "./App.svelte";

mark("script");
const target = document.getElementById("app");
if (!target) throw new Error("missing #app");
const app = mount(App, { target });
mark("mounted");
export default app;
