// checkArea validates setArea's argument for both SDKs. A cohost server is
// wherever its operator runs it: the SDKs connect to the servers
// setServerURL names, whatever the area. GLOBAL (no restriction) is what
// they do; naming a region would promise that the media stays in it, so
// it fails with NOT_SUPPORTED. An unknown area fails with INVALID_PARAMS.

/**
 * @param {any} area a name, a list of names, or {areaCode: names, excludedArea?: name}
 *   ({areaCodes, excludedArea} for RTM)
 * @param {Record<string, string>} areas the known names
 * @param {(code: "INVALID_PARAMS" | "NOT_SUPPORTED", message: string) => Error} fail
 */
export function checkArea(area, areas, fail) {
  let codes = area;
  let excluded;
  if (area && typeof area === "object" && !Array.isArray(area)) {
    codes = area.areaCode !== undefined ? area.areaCode : area.areaCodes;
    excluded = area.excludedArea;
  }
  if (!Array.isArray(codes)) codes = [codes];
  const named = excluded === undefined ? codes : [...codes, excluded];
  if (!codes.length || named.some((c) => typeof c !== "string" || !Object.prototype.hasOwnProperty.call(areas, c))) {
    throw fail("INVALID_PARAMS", `invalid area ${JSON.stringify(area)}`);
  }
  if (codes.some((c) => c !== "GLOBAL") || excluded !== undefined) {
    throw fail("NOT_SUPPORTED", "cohost does not choose servers by area: it connects to the servers setServerURL names (only GLOBAL is accepted)");
  }
}
