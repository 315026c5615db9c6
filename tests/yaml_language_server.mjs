// Validates YAML files as VS Code's YAML extension does, with the yaml-language-server package: each
// file finds its schema through its `# yaml-language-server: $schema=...` line, read from disk.
// Usage: node yaml_language_server.mjs PACKAGE_FOLDER < requests.json
//   requests: [{"file": path, "hover": [[line, character], ...]}]
//   prints:   [{"file": path, "diagnostics": [[line, message], ...], "hover": [markdown or null, ...]}]
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [packageFolder] = process.argv.slice(2);
const modules = path.dirname(packageFolder);
const { getLanguageService } = await import(pathToFileURL(path.join(packageFolder, "out/src/index.js")).href);
const { TextDocument } = await import(
  pathToFileURL(path.join(modules, "vscode-languageserver-textdocument/lib/esm/main.js")).href
);

const service = getLanguageService({
  schemaRequestService: async (uri) => readFile(fileURLToPath(uri), "utf8"),
  workspaceContext: { resolveRelativePath: (relative, resource) => new URL(relative, resource).href },
});
service.configure({ validate: true, hover: true, completion: true, schemas: [] });

let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const request of JSON.parse(input)) {
  const uri = pathToFileURL(path.resolve(request.file)).href;
  const document = TextDocument.create(uri, "yaml", 1, await readFile(request.file, "utf8"));
  const diagnostics = await service.doValidation(document, false);
  const hover = [];
  for (const [line, character] of request.hover ?? []) {
    const found = await service.doHover(document, { line, character });
    hover.push(found ? found.contents.value : null);
  }
  results.push({
    file: request.file,
    diagnostics: diagnostics.map((d) => [d.range.start.line, d.message]),
    hover,
  });
}
process.stdout.write(JSON.stringify(results));
