export {
  buildWidgetTemplate,
  cdnScriptUrl,
  DEFAULT_CONTENT_TEMPLATE,
  DEFAULT_WIDGET_NAME,
  widgetHtml,
  widgetSchema,
  type WidgetSchemaTab,
  type WidgetSetting,
  type WidgetTemplateDefinition,
  type WidgetTemplateOptions,
} from './template.js';
export {
  DEFAULT_API_BASE,
  installWidgetTemplate,
  listWidgetTemplates,
  WidgetsApiError,
  type InstallOptions,
  type InstallResult,
  type WidgetsApiErrorKind,
  type WidgetsApiOptions,
  type WidgetsRequest,
} from './client.js';
export { packageVersion } from './version.js';

import { buildWidgetTemplate, type WidgetTemplateDefinition, type WidgetTemplateOptions } from './template.js';
import { packageVersion } from './version.js';

/** The widget template for the installed version of this package (Node: reads its package.json). */
export function defaultWidgetTemplate(options: Partial<WidgetTemplateOptions> = {}): WidgetTemplateDefinition {
  return buildWidgetTemplate({ ...options, version: options.version ?? packageVersion() });
}
