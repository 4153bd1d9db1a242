/** Browser entry point. */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./components/App";
import { initTheme } from "./lib/theme";
import "./styles/index.css";

initTheme(location.search, location.pathname.startsWith("/embed/"));

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
