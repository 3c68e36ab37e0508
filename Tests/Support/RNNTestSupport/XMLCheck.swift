// XMLCheck: test helper that parses text with Foundation's XMLParser and records the elements,
// so SVG and HTML output can be checked for well-formedness and inspected.

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// The outcome of parsing a document as XML.
public struct ParsedXML {
    public var wellFormed: Bool
    public var errorDescription: String
    /// Every element in document order: name and attributes.
    public var elements: [(name: String, attributes: [String: String])]

    public func count(of name: String) -> Int {
        elements.filter { $0.name == name }.count
    }

    public func attributes(of name: String) -> [[String: String]] {
        elements.filter { $0.name == name }.map(\.attributes)
    }
}

private final class Collector: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var error: String = ""

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        elements.append((elementName, attributeDict))
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        error = "\(parseError) at line \(parser.lineNumber), column \(parser.columnNumber)"
    }
}

/// Parses `text` as XML (no namespace processing, no external entities).
public func parseXML(_ text: String) -> ParsedXML {
    let parser = XMLParser(data: Data(text.utf8))
    let collector = Collector()
    parser.delegate = collector
    parser.shouldProcessNamespaces = false
    parser.shouldResolveExternalEntities = false
    let ok = parser.parse()
    return ParsedXML(wellFormed: ok, errorDescription: collector.error, elements: collector.elements)
}

/// Fails unless `text` is well-formed XML; returns the parse for further checks.
@discardableResult
public func assertWellFormedXML(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ParsedXML {
    let parsed = parseXML(text)
    XCTAssertTrue(parsed.wellFormed, "not well-formed XML: \(parsed.errorDescription)\n\(text.prefix(2000))", file: file, line: line)
    return parsed
}

/// Fails if `text` contains "nan" or "inf" in any letter case (NaN or infinity leaking into output).
public func assertNoNonFiniteNumbers(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
    let lower = text.lowercased()
    XCTAssertFalse(lower.contains("nan"), "output contains 'nan'", file: file, line: line)
    XCTAssertFalse(lower.contains("inf"), "output contains 'inf'", file: file, line: line)
}
