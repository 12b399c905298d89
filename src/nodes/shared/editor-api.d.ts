// The parts of the Node-RED editor's API (4.1 and 5) that this package's editors use, as the
// editor-client source has them. Not @types/node-red__editor-client: it describes Node-RED 1.3,
// types most answers as `object` or `any` (a node, a workspace, a comms message), has no two-argument
// validators returning a message, and no sidebar or actions calls of the shape used here.
// jQuery comes from @types/jquery (the editor ships jQuery 3.7); jQuery UI's spinner and Node-RED's
// typedInput are declared below.

/** Node-RED's i18n function bound to a node's catalogue. */
type EditorTranslate = (key: string, vars?: Readonly<Record<string, string | number>>) => string;

/** A node (or config node, or tab) as the editor holds it: its settings are whatever its flow says. */
interface EditorNode {
  readonly id: string;
  readonly type: string;
  /** The tab (workspace) it is on. */
  readonly z?: string;
  readonly [setting: string]: unknown;
}

/**
 * `this` in the functions of a node definition: the node, its settings typed as its defaults say,
 * and `_` for its catalogue.
 */
type EditorNodeInstance<Settings> = EditorNode &
  Settings & {
    readonly _: EditorTranslate;
    /** True while the node has changes not yet deployed. */
    readonly changed?: boolean;
    /** The credentials of the node, once its dialog was opened: `has_<name>` flags for password fields. */
    readonly credentials?: Readonly<Record<string, unknown>>;
  };

/**
 * A property validator. With two parameters, a returned string is "invalid, for this reason" and the
 * editor shows it beside the field; a one-parameter validator's string would count as valid.
 */
type EditorValidator<Settings> = (
  this: EditorNode &
    Settings & {
    /** Absent when the editor validates a node it has not set up yet (an import). */
    readonly _?: EditorTranslate;
  },
  value: unknown,
  options?: unknown,
) => boolean | string;

interface EditorPropertyDefinition<Value, Settings> {
  readonly value: Value;
  readonly required?: boolean;
  /** A config node type: the property holds the id of such a node. */
  readonly type?: string;
  readonly validate?: EditorValidator<Settings>;
}

interface EditorNodeDefinition<Settings> {
  readonly category: string;
  readonly color?: string;
  readonly defaults: { readonly [Name in keyof Settings]: EditorPropertyDefinition<Settings[Name], Settings> };
  readonly credentials?: Readonly<Record<string, { readonly type: 'text' | 'password' }>>;
  readonly inputs?: 0 | 1;
  readonly outputs?: number;
  readonly icon?: string;
  readonly align?: 'left' | 'right';
  readonly paletteLabel?: string | ((this: EditorNodeInstance<Settings>) => string);
  readonly label?: string | ((this: EditorNodeInstance<Settings>) => string);
  readonly labelStyle?: string | ((this: EditorNodeInstance<Settings>) => string);
  readonly outputLabels?: string | readonly string[] | ((this: EditorNodeInstance<Settings>, index: number) => string);
  readonly button?: {
    readonly visible?: (this: EditorNodeInstance<Settings>) => boolean;
    readonly onclick: (this: EditorNodeInstance<Settings>) => void;
  };
  readonly oneditprepare?: (this: EditorNodeInstance<Settings>) => void;
  /** Assigning to a setting here is how a custom field (not an `#node-input-<name>` element) is saved. */
  readonly oneditsave?: (this: EditorNodeInstance<Settings>) => void;
}

interface EditorNotifyOptions {
  readonly type?: 'success' | 'warning' | 'error' | 'compact';
  readonly timeout?: number;
}

interface EditorSidebarTab {
  readonly id: string;
  readonly label: string;
  readonly name: string;
  readonly iconClass: string;
  readonly content: JQuery;
  readonly enableOnEdit?: boolean;
  readonly onchange?: () => void;
}

interface EditorRED {
  readonly nodes: {
    registerType<Settings>(type: string, definition: EditorNodeDefinition<Settings>): void;
    /** The registered definition of a type, with `_` for the catalogue of its node set. */
    getType(type: string): { readonly _: EditorTranslate } | undefined;
    /** A node, config node or tab by id. */
    node(id: string): EditorNode | null | undefined;
    /** The flow nodes (not config nodes) of every tab and subflow; returning false stops. */
    eachNode(visit: (node: EditorNode) => boolean | void): void;
    workspace(id: string): EditorNode | undefined;
  };
  readonly settings: {
    /** Read tolerantly: what the runtime's settings.js says, or false when HTTP nodes are off. */
    readonly httpNodeRoot?: unknown;
    readonly context?: { readonly default?: unknown; readonly stores?: unknown };
  };
  readonly validators: {
    number(blankAllowed?: boolean): EditorValidator<unknown>;
  };
  notify(message: string, options?: EditorNotifyOptions): void;
  readonly clipboard: {
    copyText(value: string, element: JQuery, message?: string): boolean;
  };
  readonly actions: {
    add(name: string, handler: (argument?: unknown) => void): void;
    invoke(name: string, argument?: unknown): void;
  };
  readonly sidebar: {
    addTab(tab: EditorSidebarTab): void;
    show(id: string): void;
  };
  readonly comms: {
    subscribe(topic: string, handler: (topic: string, message: unknown) => void): void;
  };
  readonly utils: {
    getNodeLabel(node: EditorNode, defaultLabel?: string): string;
  };
}

declare const RED: EditorRED;

interface JQuery {
  /** jQuery UI's spinner, which the editor ships. */
  spinner(options: { readonly min?: number; readonly max?: number }): this;
  /** Node-RED's typed input widget. */
  typedInput(options: { readonly default: string; readonly typeField: string; readonly types: readonly string[] }): this;
}
