/** "Theme: System / Light / Dark", remembered in this browser. */
import { type ThemeChoice, useTheme } from "../lib/theme";

export function ThemeSwitch() {
  const [theme, setTheme] = useTheme();
  return (
    <label className="theme-switch">
      <span className="visually-hidden">Theme</span>
      <select className="input input-compact" value={theme} onChange={(e) => setTheme(e.currentTarget.value as ThemeChoice)}>
        <option value="system">System theme</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}
