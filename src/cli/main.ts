// placeholder: replaced by the CLI work
console.error("cdktf-aic: not built yet");
process.exit(1);
