// Lint probe (test/style): a switch over a closed union that a `default:` makes look complete.
type Light = "red" | "amber" | "green";

export function go(light: Light): boolean {
  switch (light) {
    case "green":
      return true;
    default:
      return false;
  }
}
