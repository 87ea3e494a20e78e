// The page registry. A page is a module exporting {id, path, roles, nav?, render(view, params, ctx)};
// `roles: null` means public; `nav: {key, order}` puts it in the side navigation of those roles.
// To add a page (bureau forecasts, indicators, catalogue, models…), write its module and list it here.

import * as catalogue from "./catalogue.js";
import * as chains from "./chains.js";
import * as indicators from "./indicators.js";
import * as login from "./login.js";
import * as models from "./models.js";
import * as occupation from "./occupation.js";
import * as projects from "./projects.js";
import * as talent from "./talent.js";
import * as zones from "./zones.js";

export const PAGES = [
  login.page,
  ...projects.pages,
  ...talent.pages,
  ...chains.pages,
  ...zones.pages,
  ...occupation.pages,
  ...indicators.pages,
  ...models.pages,
  ...catalogue.pages,
];
