import ArgumentParser
import Foundation
import Registry

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write function.json files from another tool's configuration.",
        subcommands: [ConvertSAM.self])
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
        var given: [String: String] = [:]
        for p in parameters {
            guard let eq = p.firstIndex(of: "="), eq != p.startIndex else {
                throw RegistryError.usage("--parameter \(p): write NAME=VALUE, e.g. --parameter Stage=prod.")
            }
            given[String(p[..<eq])] = String(p[p.index(after: eq)...])
        }
        let name = stackName ?? ((template as NSString).lastPathComponent as NSString).deletingPathExtension
        let context = Template.Context(region: region, accountID: account, partition: partition, stackName: name, parameters: given)
        let parsed = try Template.read(path: template, context: context)
        let conversion = SAMConverter.convert(parsed)
        let written = dryRun ? [] : try SAMConverter.write(conversion, to: out, templateDirectory: (template as NSString).deletingLastPathComponent)
        let diagnostics = dryRun || conversion.functions.isEmpty ? [] : try WorkTreeState.validate(path: out, today: try resolveToday(today) ?? currentDay())
        if output.format == .json {
            var o = conversion.json(written: written).objectValue ?? JSONObject()
            o["dry_run"] = .bool(dryRun)
            o["diagnostics"] = .array(diagnostics.map(\.json))
            Output.json(.object(o))
        } else {
            report(conversion, written: written, diagnostics: diagnostics)
        }
        if !diagnostics.errors.isEmpty { throw ExitCode(1) }
    }

    private func report(_ c: SAMConverter.Conversion, written: [String], diagnostics: [Diagnostic]) {
        let target = out == "." ? "lambda_functions/" : (out as NSString).appendingPathComponent("lambda_functions") + "/"
        Output.line(Output.field("\(dryRun ? "Would convert" : "Converted") \(c.functions.count) function(s) of \(template) into \(target)"))
        let width = c.functions.map(\.name.count).max() ?? 0
        for f in c.functions {
            let code: String
            switch f.code {
            case .directory(let d): code = "code from \(d)"
            case .inline(let file, _): code = "inline code as \(file)"
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
