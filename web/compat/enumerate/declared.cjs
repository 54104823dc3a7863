// declared.cjs prints, as JSON, the member names TypeScript sees on the
// named types of a declaration file (interfaces, classes, namespaces),
// inherited ones included: node declared.cjs <typescript module dir> <file.d.ts> <Type>...
// It is run by main.go (development time only).
const [tsDir, file, ...types] = process.argv.slice(2);
const ts = require(tsDir);
const program = ts.createProgram([file], { target: ts.ScriptTarget.ES2020, lib: ["lib.es2020.d.ts", "lib.dom.d.ts"], skipLibCheck: true });
const checker = program.getTypeChecker();
const src = program.getSourceFile(file);
const found = {};
const visit = (node) => {
  if ((ts.isInterfaceDeclaration(node) || ts.isClassDeclaration(node) || ts.isModuleDeclaration(node)) && node.name && types.includes(node.name.text)) {
    const sym = checker.getSymbolAtLocation(node.name);
    let props;
    if (ts.isModuleDeclaration(node)) props = checker.getExportsOfModule(sym);
    else props = checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(sym));
    found[node.name.text] = Array.from(new Set([...(found[node.name.text] || []), ...props.map((p) => p.getName())])).sort();
  }
  ts.forEachChild(node, visit);
};
visit(src);
process.stdout.write(JSON.stringify(found));
