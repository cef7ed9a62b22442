import { expect } from "chai";
import { parse } from "yaml";
import {
  applyProjectConfig,
  inferFullTypeName,
  loadProject,
  loadStackConfig,
  validateConfigValue,
} from "../../stacks/pulumiProject";

// Cases ported from Pulumi's own tests (pulumi/pulumi at 1b59498): pkg/workspace/config_project_test.go
// for the stack rules and sdk/go/common/workspace/project_test.go for the project rules. Each `it`
// names the Go test it ports; the YAML and the expected messages are theirs.

/** Project text -> project, as `workspace.LoadProject` (throws on what Pulumi refuses). */
function project(text: string) {
  const { project: p, problems } = loadProject(parse(text));
  if (problems.length > 0) throw new Error(problems.join("\n"));
  return p;
}

function projectProblems(text: string): string {
  return loadProject(parse(text)).problems.join("\n");
}

/** `ValidateStackConfigAndApplyProjectConfig(ctx, "dev", project, stack.Config, ...)`. */
function apply(projectYaml: string, stackYaml: string) {
  const p = project(projectYaml);
  const doc = (parse(stackYaml) ?? {}) as { config?: Record<string, unknown> };
  const stack = loadStackConfig(p.name, doc.config ?? {});
  expect(stack.problems).to.deep.equal([]);
  return applyProjectConfig("dev", p, stack.config);
}

function ok(projectYaml: string, stackYaml: string): Record<string, string> {
  const { config, problems } = apply(projectYaml, stackYaml);
  expect(problems, "no config error").to.deep.equal([]);
  return config;
}

function errorOf(projectYaml: string, stackYaml: string): string {
  const { problems } = apply(projectYaml, stackYaml);
  expect(problems, "a config error").to.have.length.greaterThan(0);
  return problems.join("\n");
}

describe("Pulumi's config rules (ported from pulumi/pulumi)", () => {
  describe("stack config against Pulumi.yaml", () => {
    it("TestStackConfigIsInheritedFromProjectConfig", () => {
      const config = ok(
        "name: test\nruntime: dotnet\nconfig:\n  instanceSize: t3.micro\n  instanceCount: 20\n  protect: true",
        "config:\n  test:instanceSize: t4.large",
      );
      expect(config).to.deep.equal({
        "test:instanceSize": "t4.large",
        "test:instanceCount": "20",
        "test:protect": "true",
      });
    });

    it("TestNamespacedConfigValuesAreInheritedCorrectly", () => {
      const config = ok(
        'name: test\nruntime: dotnet\nconfig:\n  aws:region: us-west-1\n  pulumi:disable-default-providers: ["*"]\n  instanceSize: t3.micro',
        "config:\n  test:instanceSize: t4.large",
      );
      expect(Object.keys(config)).to.have.length(3);
      expect(config["test:instanceSize"]).to.equal("t4.large");
      expect(config["aws:region"]).to.equal("us-west-1");
      expect(config["pulumi:disable-default-providers"]).to.equal('["*"]');
    });

    it("TestLoadingStackConfigWithoutNamespacingTheProject", () => {
      const config = ok(
        "name: test\nruntime: dotnet\nconfig:\n  aws:region: us-west-1\n  instanceSize: t3.micro",
        "config:\n  instanceSize: t4.large",
      );
      expect(config).to.deep.equal({ "test:instanceSize": "t4.large", "aws:region": "us-west-1" });
    });

    it("TestUntypedProjectConfigValuesAreNotValidated", () => {
      const config = ok(
        "name: test\nruntime: dotnet\nconfig:\n  instanceSize: t3.micro\n  aws:region: us-west-1",
        "config:\n  instanceSize: 9999\n  aws:region: 42",
      );
      expect(config).to.deep.equal({ "test:instanceSize": "9999", "aws:region": "42" });
    });

    it("TestUntypedProjectConfigValuesWithOnlyDefaultOrOnlyValue", () => {
      const config = ok(
        "name: test\nruntime: dotnet\nconfig:\n  instanceSize:\n    default: t3.micro\n  region:\n    value: us-west-1",
        "config:\n  aws:answer: 42",
      );
      expect(config).to.deep.equal({
        "test:instanceSize": "t3.micro",
        "test:region": "us-west-1",
        "aws:answer": "42",
      });
    });

    it("TestUntypedStackConfigValuesDoNeedProjectDeclaration", () => {
      const config = ok(
        "name: test\nruntime: dotnet\nconfig:\n  createVpc: true",
        "config:\n  instanceSize: 42",
      );
      expect(config).to.deep.equal({ "test:instanceSize": "42", "test:createVpc": "true" });
    });

    it("TestUntypedProjectConfigObjectValuesPassedDownToStack", () => {
      const config = ok(
        "name: test\nruntime: dotnet\nconfig:\n  instanceSize:\n    value:\n      hello: world\n  aws:config:\n    value:\n      region: us-west-1",
        "config:\n  aws:whatever: 42",
      );
      expect(config).to.deep.equal({
        "test:instanceSize": '{"hello":"world"}',
        "aws:config": '{"region":"us-west-1"}',
        "aws:whatever": "42",
      });
    });

    it("TestStackConfigErrorsWhenStackValueIsNotCorrectlyTyped", () => {
      expect(
        errorOf(
          "name: test\nruntime: dotnet\nconfig:\n  values:\n    type: array\n    items:\n      type: string\n    default: [value]",
          "config:\n  test:values: someValue\n",
        ),
      ).to.contain("Stack 'dev' with configuration key 'values' must be of type 'array<string>'");
    });

    it("TestStackConfigIntegerTypeIsCorrectlyValidated", () => {
      const p = "name: test\nruntime: dotnet\nconfig:\n  importantNumber:\n    type: integer\n";
      ok(p, "config:\n  test:importantNumber: 20\n");
      expect(errorOf(p, "config:\n  test:importantNumber: hello\n")).to.contain(
        "Stack 'dev' with configuration key 'importantNumber' must be of type 'integer'",
      );
    });

    it("TestStackConfigErrorsWhenMissingStackValueForConfigTypeWithNoDefault", () => {
      expect(
        errorOf(
          "name: test\nruntime: dotnet\nconfig:\n  values:\n    type: array\n    items:\n      type: string",
          "",
        ),
      ).to.contain("Stack 'dev' is missing configuration value 'values'");
    });

    it("TestStackConfigErrorsWhenMissingTwoStackValueForConfigTypeWithNoDefault", () => {
      expect(
        errorOf(
          "name: test\nruntime: dotnet\nconfig:\n  another:\n    type: string\n  values:\n    type: array\n    items:\n      type: string",
          "",
        ),
      ).to.contain("Stack 'dev' is missing configuration values 'another' and 'values'");
    });

    it("TestStackConfigErrorsWhenMissingMultipleStackValueForConfigTypeWithNoDefault", () => {
      expect(
        errorOf(
          "name: test\nruntime: dotnet\nconfig:\n  hello:\n    type: integer\n  values:\n    type: array\n    items:\n      type: string\n  world:\n    type: string",
          "",
        ),
      ).to.contain("Stack 'dev' is missing configuration values 'hello', 'values' and 'world'");
    });

    it("TestStackConfigDoesNotErrorWhenProjectHasNotDefinedConfig", () => {
      ok("name: test\nruntime: dotnet", "config:\n  hello: 21\n  world: 42\n  another: 42");
    });

    it("TestStackConfigSecretIsCorrectlyValidated (the plaintext half)", () => {
      const p =
        "name: test\nruntime: dotnet\nconfig:\n  importantNumber:\n    type: integer\n    secret: true\n";
      ok(
        p,
        "config:\n  test:importantNumber:\n    secure: AAABAMcGtHVmgZ1Yf2ahBdbmE0u4eUjpgzsl3g==\n",
      );
      expect(errorOf(p, "config:\n  test:importantNumber: 20\n")).to.contain(
        "Stack 'dev' with configuration key 'importantNumber' must be encrypted as it's secret",
      );
    });

    it("object types (v3.187, TestProjectValidationSucceedsForObjectConfigType's stack side)", () => {
      const p =
        "name: test\nruntime: nodejs\nconfig:\n  settings:\n    type: object\n    default: {}\n";
      expect(ok(p, "")).to.deep.equal({ "test:settings": "{}" });
      ok(p, "config:\n  settings:\n    size: 3\n");
      expect(errorOf(p, "config:\n  settings: big\n")).to.contain(
        "Stack 'dev' with configuration key 'settings' must be of type 'object'",
      );
      expect(errorOf(p, "config:\n  settings: [1]\n")).to.contain("must be of type 'object'");
    });

    it("reports missing keys and wrong types together (Pulumi stops at the first kind)", () => {
      const problems = apply(
        "name: test\nruntime: nodejs\nconfig:\n  a:\n    type: string\n  n:\n    type: integer\n    default: 1\n",
        "config:\n  n: many\n",
      ).problems;
      expect(problems).to.deep.equal([
        "Stack 'dev' is missing configuration value 'a'",
        "Stack 'dev' with configuration key 'n' must be of type 'integer'",
      ]);
    });
  });

  describe("Pulumi.yaml itself", () => {
    it("TestProjectValidationSucceedsForObjectConfigType", () => {
      project(
        "name: test\nruntime: dotnet\nconfig:\n  example:\n    type: object\n    default:\n      hello: world\n",
      );
    });

    it("TestProjectValidationFailsForIncorrectDefaultValueType", () => {
      expect(
        projectProblems(
          "name: test\nruntime: dotnet\nconfig:\n  instanceSize:\n    type: integer\n    default: hello\n",
        ),
      ).to.contain(
        "The default value specified for configuration key 'instanceSize' is not of the expected type 'integer'",
      );
      expect(
        projectProblems(
          "name: test\nruntime: dotnet\nconfig:\n  values:\n    type: array\n    items:\n      type: array\n      items:\n        type: string\n    default: [hello]\n",
        ),
      ).to.contain(
        "The default value specified for configuration key 'values' is not of the expected type 'array<array<string>>'",
      );
    });

    it("TestProjectValidationSucceedsForCorrectDefaultValueType", () => {
      project(
        "name: test\nruntime: dotnet\nconfig:\n  instanceSize:\n    type: integer\n    default: 1\n",
      );
      project(
        "name: test\nruntime: dotnet\nconfig:\n  values:\n    type: array\n    items:\n      type: array\n      items:\n        type: string\n    default: [[hello]]\n",
      );
    });

    it("TestNamespacedProjectConfigShouldNotBeExplicitlyTyped", () => {
      expect(
        projectProblems(
          "name: test\nruntime: dotnet\nconfig:\n  aws:region:\n    type: string\n    value:\n      region: us-west-1",
        ),
      ).to.contain(
        "Configuration key 'aws:region' is not namespaced by the project and should not define a type",
      );
    });

    it("TestProjectConfigCannotHaveBothValueAndDefault", () => {
      expect(
        projectProblems(
          "name: test\nruntime: dotnet\nconfig:\n  instanceSize:\n    type: string\n    default: t3.micro\n    value: t4.large",
        ),
      ).to.contain(
        "project config 'instanceSize' cannot have both a 'default' and 'value' attribute",
      );
    });

    it("TestProjectConfigCannotBeTypedArrayWithoutItems", () => {
      expect(
        projectProblems(
          "name: test\nruntime: dotnet\nconfig:\n  instanceSize:\n    type: array\n    default: [t3.micro, t4.large]",
        ),
      ).to.contain(
        "The configuration key 'instanceSize' declares an array but does not specify the underlying type via the 'items' attribute",
      );
    });

    it("TestNamespacedProjectConfigShouldNotBeProvideDefault", () => {
      const text = projectProblems(
        "name: test\nruntime: dotnet\nconfig:\n  aws:region:\n    default: us-west-1",
      );
      expect(text).to.contain(
        "Configuration key 'aws:region' is not namespaced by the project and should not define a default value",
      );
      expect(text).to.contain("Did you mean to use the 'value' attribute instead of 'default'?");
    });

    it("project.json: a declaration allows only Pulumi's attributes and types", () => {
      const text = projectProblems(
        "name: test\nruntime: nodejs\nconfig:\n  s:\n    type: object\n    properties: {}\n  n:\n    type: number\n",
      );
      expect(text).to.contain("#/config/s: additionalProperties 'properties' not allowed");
      expect(text).to.contain(
        "#/config/n/type: must be one of string, integer, boolean, array, object",
      );
    });
  });

  it("ValidateConfigValue and InferFullTypeName, value by value", () => {
    expect(validateConfigValue("integer", undefined, "007")).to.equal(true);
    expect(validateConfigValue("integer", undefined, "1e3")).to.equal(false);
    expect(validateConfigValue("integer", undefined, "9223372036854775808")).to.equal(false);
    expect(validateConfigValue("integer", undefined, 2.0)).to.equal(true);
    expect(validateConfigValue("integer", undefined, 2.5)).to.equal(false);
    expect(validateConfigValue("boolean", undefined, "true")).to.equal(true);
    expect(validateConfigValue("boolean", undefined, "yes")).to.equal(false);
    expect(validateConfigValue("string", undefined, ["a"])).to.equal(false);
    expect(validateConfigValue("array", undefined, ["a"])).to.equal(false);
    expect(validateConfigValue("array", { type: "integer" }, [1, "2"])).to.equal(true);
    expect(validateConfigValue("array", { type: "integer" }, [1, "x"])).to.equal(false);
    expect(inferFullTypeName("array", { type: "array", items: { type: "string" } })).to.equal(
      "array<array<string>>",
    );
  });

  it("an empty stack value is JSON null, which no declared type accepts", () => {
    const p = "name: test\nruntime: nodejs\nconfig:\n  region:\n    type: string\n    default: x\n";
    expect(errorOf(p, "config:\n  region:\n")).to.contain("must be of type 'string'");
  });

  it("refuses keys that are not <namespace>:<name>", () => {
    const stack = loadStackConfig("test", { "a:b:c": 1, "aws:config:region": "x" });
    expect(stack.problems).to.deep.equal([
      "could not parse a:b:c as a configuration key (configuration keys should be of the form `<namespace>:<name>`)",
    ]);
    expect([...stack.config.keys()]).to.deep.equal(["aws:region"]);
  });
});
