/// The Moonbase release this build is.
public let version = "0.1.0"
