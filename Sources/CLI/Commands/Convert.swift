import ArgumentParser
import Foundation
import Registry

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write function.json files from another tool's configuration.",
        subcommands: [ConvertSAM.self, ConvertServerless.self])
}

struct ConvertSAM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sam",
        abstract: "Write a function.json for each function of a SAM or CloudFormation template.",
        discussion: """
            Reads AWS::Serverless::Function (with the template's Globals) and AWS::Lambda::Function resources and writes
            OUT/lambda_functions/<name>/function.json for each, with its code (CodeUri's directory, or inline code) beside it.
            What can be known before the stack exists is resolved: parameters (their defaults, or --parameter), pseudo
            parameters (--region, --account, --stack-name), Fn::Sub, Fn::Join, Fn::If on conditions, Fn::FindInMap, and the
            names and ARNs of resources the template names literally (a queue's QueueName, a bucket's BucketName, a function's
            FunctionName). Every value that cannot be carried is named with its JSON Pointer in the template and why; nothing
            is silently dropped. Refuses, writing nothing, when a function's directory already exists. The result is then
            validated as `fnreg validate OUT` would: exit 1 when it has errors.
            """)

    @Argument(help: "The template (YAML or JSON).", completion: .file(extensions: ["yaml", "yml", "json", "template"])) var template: String
    @Option(help: ArgumentHelp("The configuration repository to write into.", valueName: "dir"), completion: .directory) var out: String = "."
    @Option(help: "AWS::Region.") var region: String = "us-east-1"
    @Option(help: "AWS::AccountId.") var account: String = "123456789012"
    @Option(help: "AWS::Partition.") var partition: String = "aws"
    @Option(name: .customLong("stack-name"), help: "AWS::StackName (default: the template's file name without extension).") var stackName: String?
    @Option(name: .customLong("parameter"), help: ArgumentHelp("A template parameter's value (repeatable).", valueName: "name=value")) var parameters: [String] = []
    @Flag(help: "Print what would be written; write nothing.") var dryRun = false
    @Option(help: "Judge runtime lifecycle dates at this day when validating (default: $FNREG_TODAY, else today).") var today: String?
    @OptionGroup var output: FormatOption
    @Flag(name: .long, help: "Never colour the output.") var noColor = false

    func run() throws {
        let given = try parameterValues(parameters)
        let name = stackName ?? ((template as NSString).lastPathComponent as NSString).deletingPathExtension
        let context = Template.Context(region: region, accountID: account, partition: partition, stackName: name, parameters: given)
        let conversion = SAMConverter.convert(try Template.read(path: template, context: context))
        try finish(conversion, source: template, out: out, dryRun: dryRun, today: today, format: output.format)
    }
}

/// `NAME=VALUE` options as a map.
func parameterValues(_ parameters: [String]) throws -> [String: String] {
    var given: [String: String] = [:]
    for p in parameters {
        guard let eq = p.firstIndex(of: "="), eq != p.startIndex else {
            throw RegistryError.usage("--parameter \(p): write NAME=VALUE, e.g. --parameter Stage=prod.")
        }
        given[String(p[..<eq])] = String(p[p.index(after: eq)...])
    }
    return given
}

/// Writes (unless a dry run), validates the result, and prints; exit 1 when it has errors.
func finish(_ conversion: SAMConverter.Conversion, source: String, out: String, dryRun: Bool, today: String?, format: OutputFormat) throws {
    let written = dryRun ? [] : try SAMConverter.write(conversion, to: out, templateDirectory: (source as NSString).deletingLastPathComponent)
    let diagnostics = dryRun || conversion.functions.isEmpty ? [] : try WorkTreeState.validate(path: out, today: try resolveToday(today) ?? currentDay())
    if format == .json {
        var o = conversion.json(written: written).objectValue ?? JSONObject()
        o["dry_run"] = .bool(dryRun)
        o["diagnostics"] = .array(diagnostics.map(\.json))
        Output.json(.object(o))
    } else {
        ConversionReport(source: source, out: out, dryRun: dryRun).print(conversion, diagnostics: diagnostics)
    }
    if !diagnostics.errors.isEmpty { throw ExitCode(1) }
}


struct ConvertServerless: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serverless",
        abstract: "Write a function.json for each function of a Serverless Framework service (serverless.yml).",
        discussion: """
            Each function of `functions` becomes OUT/lambda_functions/<key>/function.json, with the provider's settings as its
            defaults (runtime, memorySize, timeout, environment and tags merged, architecture, tracing, vpc, layers, IAM statements
            and managed policies, or an existing role), its events as api (http, httpApi) and events (sqs, sns, s3, schedule,
            eventBridge, stream), and the handler's file copied beside it. Variables resolved: ${self:…}, ${opt:stage} and
            ${sls:stage} (--stage), ${aws:region}, ${aws:accountId}, fallbacks (${env:X, 'default'}; the machine's own
            environment is never read), and Ref/Fn::GetAtt of the service's resources named literally. Every value that cannot
            be carried is named with its JSON Pointer in the file and why. Refuses, writing nothing, when a function's
            directory already exists; then validates OUT (exit 1 on errors).
            """)

    @Argument(help: "The service file (serverless.yml, or its JSON form).", completion: .file(extensions: ["yml", "yaml", "json"])) var file: String
    @Option(help: ArgumentHelp("The configuration repository to write into.", valueName: "dir"), completion: .directory) var out: String = "."
    @Option(help: "The stage ${opt:stage} and ${sls:stage} stand for (default: provider.stage, else dev).") var stage: String?
    @Option(help: "${aws:region} (default: provider.region, else us-east-1).") var region: String?
    @Option(help: "${aws:accountId}.") var account: String = "123456789012"
    @Option(help: "The ARN partition of the ARNs written.") var partition: String = "aws"
    @Flag(help: "Print what would be written; write nothing.") var dryRun = false
    @Option(help: "Judge runtime lifecycle dates at this day when validating (default: $FNREG_TODAY, else today).") var today: String?
    @OptionGroup var output: FormatOption
    @Flag(name: .long, help: "Never colour the output.") var noColor = false

    func run() throws {
        var context = Template.Context(accountID: account, partition: partition)
        if let region { context.region = region }
        let conversion = try ServerlessConverter.convert(path: file, stage: stage, context: context, regionGiven: region != nil)
        try finish(conversion, source: file, out: out, dryRun: dryRun, today: today, format: output.format)
    }
}

/// What a conversion prints: the functions and their code, what was not carried, what was skipped,
/// then the documents (--dry-run) or the validation of the result.
struct ConversionReport {
    let source: String
    let out: String
    let dryRun: Bool

    func print(_ c: SAMConverter.Conversion, diagnostics: [Diagnostic]) {
        let template = source
        let target = out == "." ? "lambda_functions/" : (out as NSString).appendingPathComponent("lambda_functions") + "/"
        Output.line(Output.field("\(dryRun ? "Would convert" : "Converted") \(c.functions.count) function(s) of \(template) into \(target)"))
        let width = c.functions.map(\.name.count).max() ?? 0
        for f in c.functions {
            let code: String
            switch f.code {
            case .directory(let d): code = "code from \(d)"
            case .inline(let file, _): code = "inline code as \(file)"
            case .files(_, let paths): code = "code: " + paths.joined(separator: ", ")
            case .none(let why): code = "no code (\(why)): add it by hand"
            }
            Output.line(Output.field("  \(f.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(f.logicalID): \(code)"))
        }
        let losses = c.functions.flatMap { f in f.notCarried.map { (f.name, $0) } }
        if !losses.isEmpty {
            Output.line("Not carried over (\(losses.count)):")
            for (name, l) in losses { Output.line(Output.field("  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(l.pointer): \(l.reason)")) }
        }
        if !c.skipped.isEmpty {
            Output.line("Not converted (\(c.skipped.count)):")
            for l in c.skipped { Output.line(Output.field("  \(l.pointer): \(l.reason)")) }
        }
        if dryRun {
            for f in c.functions {
                Output.line(Output.field("--- \(target)\(f.name)/function.json"))
                // Line by line: escape sequences in the template's text never reach the terminal, newlines do.
                for line in f.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() { Output.line(Output.field(String(line))) }
            }
            return
        }
        for d in diagnostics { Output.line(Output.field(d.description)) }
        Output.line("Validated: \(diagnostics.errors.count) error(s), \(diagnostics.warnings.count) warning(s)")
    }
}
