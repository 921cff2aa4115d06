// A tiny compiled test contract that reverts with a reason string, a custom error, or a require message.
// Source (solc 0.8.37, optimizer 200 runs):
//   contract Reverter {
//     error Custom(uint256 code);
//     function fail() external pure { revert("nope: reverter says no"); }
//     function failCustom() external pure { revert Custom(42); }
//     function pay() external payable { require(msg.value == 0, "no value"); }
//   }
// The ABI declares fail/failCustom non-view so simulateContract accepts them; the encoding is the same.
import { parseAbi, type Hex } from 'viem'

export const REVERTER_ABI = parseAbi([
  'error Custom(uint256 code)',
  'function fail()',
  'function failCustom()',
  'function pay() payable',
])

export const REVERTER_BYTECODE: Hex =
  '0x6080604052348015600e575f5ffd5b5061012d8061001c5f395ff3fe608060405260043610602f575f3560e01c80631b9265b81460335780638791bd3314603b578063a9cc471814604c575b5f5ffd5b6039605d565b005b3480156045575f5ffd5b506039609c565b3480156056575f5ffd5b50603960b7565b3415609a5760405162461bcd60e51b81526020600482015260086024820152676e6f2076616c756560c01b60448201526064015b60405180910390fd5b565b6040516332cd8acd60e21b8152602a60048201526024016091565b60405162461bcd60e51b81526020600482015260166024820152756e6f70653a2072657665727465722073617973206e6f60501b6044820152606401609156fea264697066735822122071109eceeadc971a1b24f93426b30257fe16afe839c2f803f9bc75a1cb253f3264736f6c63430008250033'
