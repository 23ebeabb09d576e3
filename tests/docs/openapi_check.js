// Validates docs/openapi.yaml against the OpenAPI 3.0 schema and its own
// rules (references resolve, path parameters declared, unique operation ids)
// with swagger-parser. Usage: node openapi_check.js FILE.yaml
"use strict";
const SwaggerParser = require("@apidevtools/swagger-parser");

const file = process.argv[2];
SwaggerParser.validate(file)
	.then((api) => {
		const n = Object.keys(api.paths).length;
		console.log(`ok   ${file}: OpenAPI ${api.openapi}, ${n} paths`);
	})
	.catch((err) => {
		console.log(`FAIL ${file}: ${err.message}`);
		process.exit(1);
	});
