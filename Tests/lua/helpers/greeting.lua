return { hello = function(n) return "hello " .. n end }
