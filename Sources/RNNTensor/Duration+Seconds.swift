// Duration+Seconds: a duration as a Double number of seconds, for rates and logs.

extension Duration {
    /// The duration in seconds, as a Double (for rates and logs).
    @inlinable public var inSeconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
